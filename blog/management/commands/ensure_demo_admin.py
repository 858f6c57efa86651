import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "For local development: make sure a superuser exists and print how to log in. The first "
        "run creates 'admin' with a random password kept in .demo-admin (not committed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--credentials-file",
            default=str(Path(settings.BASE_DIR) / ".demo-admin"),
            help="Where the generated password is kept between runs.",
        )

    def handle(self, *, username, credentials_file, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_demo_admin is for local development (DJANGO_DEBUG=1). On a server, use "
                "'manage.py createsuperuser'."
            )
        User = get_user_model()
        credentials = Path(credentials_file)
        user = User.objects.filter(username=username).first()

        if user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            credentials.write_text(f"{username}\n{password}\n")
            credentials.chmod(0o600)
        elif credentials.exists():
            saved_username, password = credentials.read_text().split()[:2]
            if saved_username != username or not user.check_password(password):
                password = None
        else:
            password = None

        url = f"{settings.SITE_URL}/admin/"
        if password is None:
            self.stdout.write(
                f"Admin: {url} — user '{username}' exists with a password set elsewhere; "
                f"change it with: .venv/bin/python manage.py changepassword {username}"
            )
        else:
            self.stdout.write(f"Admin: {url}  user: {username}  password: {password}")
