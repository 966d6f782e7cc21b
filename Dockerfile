# Build stage: install the project and its dependencies into a virtual environment.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/reed
ENV PATH=/opt/reed/bin:$PATH
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY content ./content
COPY db ./db
# The local demo (`reed demo`, `reed run` without a token) and `reed bench` need the emulator.
COPY emulator ./emulator
RUN pip install --no-cache-dir .

# Runtime stage: the virtual environment only, run as an unprivileged user.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 reed
COPY --from=build /opt/reed /opt/reed
ENV PATH=/opt/reed/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/reed.db
RUN mkdir /data && chown reed:reed /data
USER 10001
WORKDIR /data
EXPOSE 8080
# `reed run` applies pending migrations first, then polls or serves the webhook.
CMD ["reed", "run"]
