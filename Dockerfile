FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir "setuptools<81" wheel \
    && pip install --no-cache-dir --no-build-isolation "xstatic-bootstrap>=5.3,<5.4"
COPY . .
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=collectstatic-at-build-time-only-this-key-never-signs-anything python manage.py collectstatic --noinput -v 0
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "opsreview.wsgi:application"]
