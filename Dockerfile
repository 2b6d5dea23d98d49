# The yjflow image: one image for the worker, the API and the one-shot migrations
# (`docker run IMAGE worker | api | migrate | users add …`; see deploy/README.md).
ARG PYTHON_IMAGE=python:3.11-slim

# --- build: install yjflow and its dependencies into a virtualenv ------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/yjflow
WORKDIR /src

# Dependencies first, from pyproject.toml alone, so editing the code does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && /opt/yjflow/bin/pip install -r /tmp/requirements.txt

COPY . .
RUN /opt/yjflow/bin/pip install . \
    && /opt/yjflow/bin/yjflow --help > /dev/null

# --- runtime ------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="yjflow" \
      org.opencontainers.image.description="Durable workflows for youth justice services" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PATH=/opt/yjflow/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    YJFLOW_API_HOST=0.0.0.0 \
    YJFLOW_API_PORT=8000

COPY --from=build /opt/yjflow /opt/yjflow
COPY deploy/docker-entrypoint.sh /usr/local/bin/yjflow-entrypoint

# A fixed, unprivileged uid; the code in /opt/yjflow stays owned by root and read-only to it.
RUN chmod 0755 /usr/local/bin/yjflow-entrypoint \
    && groupadd --system --gid 10001 yjflow \
    && useradd --system --uid 10001 --gid yjflow --home-dir /home/yjflow --create-home \
        --shell /usr/sbin/nologin yjflow
USER 10001:10001
WORKDIR /home/yjflow

EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/yjflow-entrypoint"]
CMD ["worker"]
