FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=crm.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl procps && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build ALLOWED_HOSTS=localhost python scripts/compile_messages.py \
 && SECRET_KEY=build ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v 0
EXPOSE 8000
CMD ["gunicorn", "crm.wsgi", "-b", "0.0.0.0:8000", "-w", "3"]
