# One image for the web app and the worker (the production topology issue refines it).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY workflows ./workflows
COPY activities ./activities
COPY webapp ./webapp
COPY vies ./vies
COPY devtools ./devtools
COPY worker.py babel.cfg ./
RUN pip install --no-cache-dir . \
    && pybabel compile -d webapp/translations \
    && useradd --create-home aos
USER aos
EXPOSE 5000
CMD ["flask", "--app", "webapp", "run", "--host", "0.0.0.0", "--port", "5000"]
