"""End to end through the `chirp` command, against the mesh run as a real process.

The mesh is started the way `make run` starts it (`python -m services.mesh`),
on a free port and a temporary data directory, and stopped with SIGTERM.
"""

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.mesh_process import GRACE_SECONDS, REPO, MeshProcess, clean_env, free_port, start_mesh

CALL_TIMEOUT_SECONDS = 60
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch) -> Path:
    """Each test's own ~/.config, where `chirp login` keeps its sessions."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


@pytest.fixture
def fresh_mesh(tmp_path: Path) -> Iterator[MeshProcess]:
    """A mesh of its own, for a test that needs an empty graph or stops the mesh itself."""
    running = start_mesh(tmp_path)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(timeout=GRACE_SECONDS)


def chirp(target: str, *args: str, as_: str | None = None, timeout: float = CALL_TIMEOUT_SECONDS, stdin: str | None = None, **env: str):
    """Runs the CLI; `register` and `login` read PASSWORD from stdin (unless stdin is given)."""
    acting = ["--as", as_] if as_ else []
    if args[0] in ("register", "login") and stdin is None:
        args, stdin = (*args, "--password-stdin"), PASSWORD + "\n"
    argv = [sys.executable, "-m", "chirp_client.cli", "--target", target, *acting, *map(str, args)]
    return subprocess.run(argv, cwd=REPO, env=clean_env(**env), capture_output=True, text=True, timeout=timeout, input=stdin)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def poll(read: Callable[[], str], until: Callable[[str], bool], attempts: int = 40, pause: float = 0.1) -> str:
    """Reads until the output satisfies `until` (fan-out is asynchronous); the last output either way."""
    for _ in range(attempts):
        output = read()
        if until(output):
            return output
        time.sleep(pause)
    return output


def tweet_ids(output: str) -> list[int]:
    return [int(i) for i in re.findall(r"· id (\d+)", output)]


def handles(output: str) -> set[str]:
    return set(re.findall(r"^@(\w+) ", output, flags=re.MULTILINE))


def test_the_five_minute_tour(mesh: MeshProcess):
    t = mesh.target
    assert "registered @alice (Alice A)" in ok(chirp(t, "register", "alice", "--name", "Alice A"))
    assert "registered @bob (bob)" in ok(chirp(t, "register", "bob"))
    followed = ok(chirp(t, "follow", "alice", as_="bob"))
    assert followed.startswith("following @alice") and "1 followers" in followed

    hello = tweet_ids(ok(chirp(t, "post", "hello from alice", as_="alice")))[0]
    home = poll(lambda: ok(chirp(t, "home", as_="bob")), lambda out: hello in tweet_ids(out))
    assert tweet_ids(home) == [hello] and "hello from alice" in home

    replied = ok(chirp(t, "reply", hello, "hi alice", as_="bob"))
    assert f"(reply to {hello})" in replied and "hi alice" in replied
    reply = tweet_ids(replied)[0]
    assert tweet_ids(ok(chirp(t, "replies", hello))) == [reply]

    assert "likes 1 (you liked)" in ok(chirp(t, "like", hello, as_="bob"))
    retweeted = ok(chirp(t, "retweet", hello, as_="bob"))
    assert retweeted.startswith("@bob") and "retweeted:" in retweeted and "retweets 1" in retweeted
    assert "likes 1  retweets 1  replies 1" in ok(chirp(t, "tweets", "alice"))
    assert "retweeted:" in ok(chirp(t, "tweets", "bob"))

    assert f"undid your retweet of {hello}" in ok(chirp(t, "unretweet", hello, as_="bob"))
    bobs = ok(chirp(t, "tweets", "bob"))
    assert "retweeted:" not in bobs and tweet_ids(bobs) == [reply]
    assert "likes 1  retweets 0  replies 1" in ok(chirp(t, "tweets", "alice"))

    assert handles(ok(chirp(t, "followers", "alice"))) == {"bob"}
    assert handles(ok(chirp(t, "following", "bob"))) == {"alice"}

    doomed = tweet_ids(ok(chirp(t, "post", "short-lived", as_="alice")))[0]
    home = poll(lambda: ok(chirp(t, "home", as_="bob")), lambda out: doomed in tweet_ids(out))
    assert doomed in tweet_ids(home)
    assert f"deleted tweet {doomed}" in ok(chirp(t, "delete", doomed, as_="alice"))
    home = poll(lambda: ok(chirp(t, "home", as_="bob")), lambda out: doomed not in tweet_ids(out))
    assert doomed not in tweet_ids(home) and "short-lived" not in home
    assert doomed not in tweet_ids(ok(chirp(t, "tweets", "alice")))

    unfollowed = ok(chirp(t, "unfollow", "alice", as_="bob"))
    assert unfollowed.startswith("unfollowed @alice") and "0 followers" in unfollowed
    assert ok(chirp(t, "followers", "alice")).strip() == "(nobody)"
    home = poll(lambda: ok(chirp(t, "home", as_="bob")), lambda out: hello not in tweet_ids(out))
    assert tweet_ids(home) == [reply], "after unfollowing, bob's home keeps only his own reply"

    found = poll(lambda: ok(chirp(t, "search", "hello from:alice")), lambda out: hello in tweet_ids(out))
    assert tweet_ids(found) == [hello] and "hello from alice" in found
    assert tweet_ids(ok(chirp(t, "search", "hi", "--relevance"))) == [reply]
    assert "ready: " in ok(chirp(t, "search-status"))
    assert "unbalanced quote" in chirp(t, "search", '"open').stderr

    status = ok(chirp(t, "fanout-status"))
    assert re.search(r"queue depth \d+, oldest pending \d+ ms, events processed [1-9]\d*", status), status
    assert "dead letters 0" in status

    assert "deleted your account" in ok(chirp(t, "delete-account", as_="bob"))
    gone = chirp(t, "user", "bob")
    assert gone.returncode == 1 and "NOT_FOUND" in gone.stderr
    alices = poll(lambda: ok(chirp(t, "tweets", "alice")), lambda out: "likes 0  retweets 0  replies 0" in out)
    assert "likes 0  retweets 0  replies 0" in alices, "bob's like and reply leave with his account"


@pytest.mark.slow
def test_trends_shows_a_tag_once_five_accounts_use_it(mesh: MeshProcess):
    t = mesh.target
    assert "nothing yet" in ok(chirp(t, "trends", "--window", "5"))
    for n in range(5):
        ok(chirp(t, "register", f"trender{n}"))
        ok(chirp(t, "post", "on the #CLI tour", as_=f"trender{n}"))
    shown = poll(lambda: ok(chirp(t, "trends", "--limit", "3")), lambda out: "#cli" in out, attempts=100)
    assert "trending over the last 60 minutes" in shown
    assert re.search(r"1\. #cli  score 16\.0  5 accounts \(window before: 0\), 5 tweets", shown), shown
    bad = chirp(t, "trends", "--window", "2000")
    assert bad.returncode == 1 and "INVALID_ARGUMENT" in bad.stderr and "1 to 1440" in bad.stderr


@pytest.mark.slow
def test_suggestions_name_who_follows_each_and_leave_out_who_you_follow(mesh: MeshProcess):
    t = mesh.target
    for handle in ("sg_me", "sg_ann", "sg_ben", "sg_x", "sg_y"):
        ok(chirp(t, "register", handle))
    for follower, followee in (("sg_ann", "sg_x"), ("sg_ben", "sg_x"), ("sg_ben", "sg_y"), ("sg_me", "sg_ann"), ("sg_me", "sg_ben")):
        ok(chirp(t, "follow", followee, as_=follower))
    assert "(no suggestions yet" in ok(chirp(t, "suggestions", as_="sg_x"))
    shown = ok(chirp(t, "suggestions", as_="sg_me"))
    assert re.findall(r"^@(\w+) ", shown, flags=re.MULTILINE) == ["sg_x", "sg_y"], shown
    assert "followed by sg_ann and 1 other" in shown and "followed by sg_ben\n" in shown and "(ranked just now)" in shown
    ok(chirp(t, "follow", "sg_x", as_="sg_me"))
    assert handles(ok(chirp(t, "suggestions", "--limit", "5", as_="sg_me"))) == {"sg_y"}
    bad = chirp(t, "suggestions", "--limit", "-1", as_="sg_me")
    assert bad.returncode == 1 and "INVALID_ARGUMENT" in bad.stderr and "page_size must not be negative" in bad.stderr


@pytest.mark.slow
def test_block_mute_and_their_lists_from_the_terminal(mesh: MeshProcess):
    t = mesh.target
    for handle in ("carl", "dana", "erin"):
        ok(chirp(t, "register", handle))
    ok(chirp(t, "follow", "dana", as_="carl"))
    ok(chirp(t, "follow", "erin", as_="carl"))
    ok(chirp(t, "follow", "carl", as_="dana"))
    said = tweet_ids(ok(chirp(t, "post", "dana speaks", as_="dana")))
    loud = tweet_ids(ok(chirp(t, "post", "erin speaks", as_="erin")))
    assert set(tweet_ids(poll(lambda: ok(chirp(t, "home", as_="carl")), lambda out: len(tweet_ids(out)) == 2))) == {*said, *loud}
    assert ok(chirp(t, "block", "dana", as_="carl")).startswith("blocked @dana")
    assert "0 followers, 0 following" in ok(chirp(t, "user", "dana"))
    assert ok(chirp(t, "mute", "erin", as_="carl")).startswith("muted @erin")
    assert tweet_ids(ok(chirp(t, "home", as_="carl"))) == []
    assert tweet_ids(ok(chirp(t, "tweets", "erin", as_="carl"))) == loud  # a mute hides nothing on the page itself
    assert handles(ok(chirp(t, "blocked", as_="carl"))) == {"dana"}
    assert handles(ok(chirp(t, "muted", as_="carl"))) == {"erin"}
    refused = chirp(t, "follow", "carl", as_="dana")
    assert refused.returncode == 1 and "FAILED_PRECONDITION" in refused.stderr and "blocked" in refused.stderr
    ok(chirp(t, "unblock", "dana", as_="carl"))
    ok(chirp(t, "unmute", "erin", as_="carl"))
    assert ok(chirp(t, "blocked", as_="carl")).strip() == "(nobody)"
    assert tweet_ids(ok(chirp(t, "home", as_="carl"))) == loud  # the block ended carl's follow of dana


@pytest.mark.slow
def test_notifications_lists_counts_unread_and_marks_read(mesh: MeshProcess):
    t = mesh.target
    for handle in ("nora", "nick", "nell"):
        ok(chirp(t, "register", handle))
    ok(chirp(t, "follow", "nora", as_="nick"))
    ok(chirp(t, "follow", "nora", as_="nell"))
    listed = poll(lambda: ok(chirp(t, "notifications", as_="nora")), lambda out: "nell and nick followed you" in out)
    assert listed.startswith("* ") and "nell and nick followed you" in listed
    assert ok(chirp(t, "notifications", "unread", as_="nora")).strip() == "1 unread"
    marker = re.search(r"read marker: (\S+)", listed).group(1)
    assert ok(chirp(t, "notifications", "read", "--marker", marker, as_="nora")).strip() == "marked read; 0 unread"
    assert ok(chirp(t, "notifications", as_="nora")).startswith("  ")  # read: no star
    refused = chirp(t, "notifications", "read", "--marker", "forged", as_="nora")
    assert refused.returncode != 0 and "read_marker is not valid" in refused.stderr


def test_an_unknown_handle_is_not_found(mesh: MeshProcess):
    result = chirp(mesh.target, "user", "nobody_here")
    assert result.returncode == 1
    assert "NOT_FOUND" in result.stderr and "nobody_here" in result.stderr
    assert result.stdout == ""


def test_a_command_that_acts_for_a_user_needs_as(mesh: MeshProcess):
    result = chirp(mesh.target, "post", "who am I?")
    assert result.returncode == 2
    assert "--as" in result.stderr
    assert result.stdout == ""


def test_an_unreachable_mesh_is_reported():
    target = f"127.0.0.1:{free_port()}"  # nothing listens there
    result = chirp(target, "--timeout", "3", "user", "alice", timeout=30)
    assert result.returncode == 1
    assert f"cannot reach the mesh at {target}" in result.stderr


def test_load_graph_from_an_edge_list_follows_both_ways(mesh: MeshProcess, tmp_path: Path):
    edges = tmp_path / "tiny.edges"
    edges.write_text("% u v: a friendship\n0 1\n0 2\n1 2\n2 3\n3 4\n4 5\n")
    loaded = ok(chirp(mesh.target, "load-graph", "--edges", edges, CHIRP_DATA_DIR=str(mesh.data_dir)))
    assert "loaded 6 users, 12 follows, 0 tweets" in loaded

    t = mesh.target
    assert handles(ok(chirp(t, "followers", "username_0"))) == {"username_1", "username_2"}
    assert handles(ok(chirp(t, "following", "username_0"))) == {"username_1", "username_2"}
    assert handles(ok(chirp(t, "followers", "username_5"))) == {"username_4"}
    assert handles(ok(chirp(t, "following", "username_5"))) == {"username_4"}
    assert "3 followers, 3 following" in ok(chirp(t, "user", "username_2"))


def test_load_graph_generates_a_power_law_graph(fresh_mesh: MeshProcess):
    loaded = chirp(
        fresh_mesh.target, "load-graph", "--generate", 30, "--mean-following", 5, "--tweets", 1, timeout=120,
        CHIRP_DATA_DIR=str(fresh_mesh.data_dir),
    )  # fmt: skip  # the loader mints its tokens with the mesh's key
    assert "loaded 30 users" in ok(loaded)
    assert "30 tweets" in loaded.stdout
    assert "sample tweet 0" in ok(chirp(fresh_mesh.target, "tweets", "username_29"))


def test_the_mesh_stops_gracefully_on_sigterm_and_keeps_its_data(fresh_mesh: MeshProcess):
    t = fresh_mesh.target
    ok(chirp(t, "register", "keeper"))
    kept = tweet_ids(ok(chirp(t, "post", "still here after a restart", as_="keeper")))

    assert fresh_mesh.stop() == 0, fresh_mesh.log
    assert "stopping: draining requests" in fresh_mesh.log

    restarted = start_mesh(fresh_mesh.data_dir)
    try:
        assert tweet_ids(ok(chirp(restarted.target, "tweets", "keeper"))) == kept
    finally:
        assert restarted.stop() == 0, restarted.log
