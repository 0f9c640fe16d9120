# The guichet service image. One image, chosen role by command:
#   docker run IMAGE worker    the Temporal worker (default)
#   docker run IMAGE consume   the partner event consumer
# (`guichet dev` starts an embedded stack for one machine; it is not meant for containers.)
# Settings come from GUICHET_* environment variables, see docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The project is installed into site-packages (no dev extras); the sources are not kept.
# --compile (pip's default, said here on purpose) writes the bytecode PYTHONDONTWRITEBYTECODE
# would not: the workflow sandbox imports the workflow modules again for every workflow it
# loads, and without it would compile them from source each time (docs/capacity.md).
COPY . /tmp/guichet-src
RUN pip install --compile /tmp/guichet-src \
    && rm -rf /tmp/guichet-src \
    && groupadd --system --gid 10001 guichet \
    && useradd --system --uid 10001 --gid guichet --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin guichet \
    && mkdir -p /app/data \
    && chown guichet:guichet /app/data

# GUICHET_DATA_DIR defaults to "data", i.e. /app/data (only used when GUICHET_DATABASE_URL is empty).
WORKDIR /app
USER 10001:10001

# `guichet worker|consume` stop cleanly on SIGTERM (or SIGINT): the worker lets running
# activities finish (20 s at most), the consumer leaves its groups without committing an
# undelivered record.
ENTRYPOINT ["guichet"]
CMD ["worker"]
