FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CAREERCONV_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --create-home --uid 1000 careerconv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# .dockerignore keeps .env, var/, .git and .venv out.
COPY . .
# Static files are built into the image (every replica serves the same ones; nothing shared at run time).
# collectstatic needs settings but no database or secrets of its own (the key is a well-formed placeholder: nothing
# is encrypted at build time).
RUN SECRET_KEY=build-only FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktdGhhdC1lbmNyeXB0cy1ub3Q= DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --no-input \
    && rm -f /tmp/build.sqlite3 && mkdir -p /app/var && chown -R careerconv /app/var
USER careerconv
EXPOSE 8000
CMD ["gunicorn", "careerconv.wsgi", "--config", "python:careerconv.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
