"""google.api.http path templates: parsed once into a regular expression, matched per request.

The grammar (google/api/http.proto):

    Template = "/" Segments [ Verb ] ;
    Segments = Segment { "/" Segment } ;
    Segment  = "*" | "**" | LITERAL | Variable ;
    Variable = "{" FieldPath [ "=" Segments ] "}" ;
    Verb     = ":" LITERAL ;

`{field}` is `{field=*}`: one segment. `*` matches one segment, `**` any
number (zero or more) and may only come last. A variable's value is its
matched segments, percent-decoded (a `/` inside one segment stays encoded,
as grpc-gateway leaves it, when the variable spans several segments).
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^}]*))?\}")
_LITERAL = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=@]+")


class TemplateError(ValueError):
    """A path template that the grammar does not allow."""


@dataclass(frozen=True)
class Variable:
    field_path: str
    multi_segment: bool


@dataclass(frozen=True)
class PathTemplate:
    source: str
    pattern: re.Pattern
    variables: tuple[Variable, ...]
    verb: str
    literal_count: int  # how specific it is: more literal segments win

    def match(self, path: str) -> dict[str, str] | None:
        """The variables' values by field path, or None when the path does not fit."""
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        values = {}
        for index, variable in enumerate(self.variables):
            raw = found.group(f"v{index}")
            values[variable.field_path] = raw if variable.multi_segment else unquote(raw)
        return values


def parse_template(source: str) -> PathTemplate:
    if not source.startswith("/"):
        raise TemplateError(f"{source!r}: a template starts with '/'")
    body, verb = _split_verb(source[1:])
    parts, variables, literals = [], [], 0
    for piece in _pieces(body, source):
        if piece.startswith("{"):
            field_path, inner = _VARIABLE.fullmatch(piece).groups()
            segments = (inner or "*").split("/")
            multi = len(segments) > 1 or "**" in segments
            parts.append(f"(?P<v{len(variables)}>{_segments_regex(segments, source)})")
            variables.append(Variable(field_path, multi))
            literals += sum(1 for s in segments if s not in ("*", "**"))
        else:
            parts.append(_segments_regex([piece], source))
            literals += piece not in ("*", "**")
    _check_deep_wildcard_last(body, source)
    regex = "/" + "/".join(parts) + (re.escape(":" + verb) if verb else "")
    return PathTemplate(source, re.compile(regex), tuple(variables), verb, literals)


def _split_verb(body: str) -> tuple[str, str]:
    last = body.rsplit("/", 1)[-1]
    if ":" in last and "}" not in last.rsplit(":", 1)[1]:
        head, verb = body.rsplit(":", 1)
        return head, verb
    return body, ""


def _pieces(body: str, source: str) -> list[str]:
    """The top-level segments, each variable kept whole (it may hold '/')."""
    pieces, depth, current = [], 0, ""
    for char in body:
        depth += (char == "{") - (char == "}")
        if depth not in (0, 1):
            raise TemplateError(f"{source!r}: variables do not nest")
        if char == "/" and depth == 0:
            pieces.append(current)
            current = ""
        else:
            current += char
    pieces.append(current)
    if depth != 0 or any(p == "" for p in pieces):
        raise TemplateError(f"{source!r}: an empty segment or an unclosed variable")
    return pieces


def _segments_regex(segments: list[str], source: str) -> str:
    out = []
    for segment in segments:
        if segment == "*":
            out.append("[^/]+")
        elif segment == "**":
            out.append("(?:[^/]+(?:/[^/]+)*)?")
        elif _LITERAL.fullmatch(segment):
            out.append(re.escape(segment))
        else:
            raise TemplateError(f"{source!r}: {segment!r} is not a literal, '*', '**' or a variable")
    return "/".join(out)


def _check_deep_wildcard_last(body: str, source: str) -> None:
    flat = re.sub(r"[{}]|[A-Za-z0-9_.]+=", "", body).split("/")
    if "**" in flat[:-1]:
        raise TemplateError(f"{source!r}: '**' may only be the last segment")
