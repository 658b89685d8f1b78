# One image for every service: CHIRP_SERVICE chooses which one a container runs (helm/chirp sets it per workload).
# Not built by the tests: no container engine runs on this project's machines.
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gen gen
COPY services services
COPY clients clients
RUN pip install --no-cache-dir . && useradd --uid 10001 chirp && mkdir -p /var/lib/chirp && chown chirp /var/lib/chirp
USER 10001
ENV CHIRP_LISTEN=0.0.0.0:50051 CHIRP_METRICS_LISTEN=0.0.0.0:9464 CHIRP_DATA_DIR=/var/lib/chirp
EXPOSE 50051 9464
ENTRYPOINT ["chirp-mesh"]
