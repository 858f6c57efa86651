"""The two staff roles, as groups: Authors write and edit; Editors also publish anyone's posts.

Authors may publish their own posts (those that credit an Author linked to their login) but not
other people's; the admin enforces that with the ``publish_post`` permission, which only Editors
have. Add a user to a group in the admin (Users → a user → Groups) and tick "Staff status".
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHOR_PERMISSIONS = [
    ("blog", "post", ["add", "change", "view"]),
    ("blog", "postimage", ["add", "change", "view"]),
    ("blog", "revision", ["view"]),
    ("blog", "author", ["view"]),
    ("blog", "category", ["view"]),
    ("blog", "keyword", ["add", "view"]),
    ("taggit", "tag", ["add", "view"]),
]
EDITOR_PERMISSIONS = [
    ("blog", "post", ["add", "change", "delete", "view", "publish"]),
    ("blog", "postimage", ["add", "change", "delete", "view"]),
    ("blog", "revision", ["view"]),
    ("blog", "author", ["add", "change", "view"]),
    ("blog", "category", ["add", "change", "delete", "view"]),
    ("blog", "keyword", ["add", "change", "delete", "view"]),
    ("blog", "redirectfromoldurl", ["add", "change", "delete", "view"]),
    ("taggit", "tag", ["add", "change", "delete", "view"]),
]


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Authors", AUTHOR_PERMISSIONS), ("Editors", EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for _, model, actions in grants for action in actions]
        group.permissions.set(
            Permission.objects.filter(
                codename__in=codenames,
                content_type__app_label__in={app for app, _, _ in grants},
            )
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Authors", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_revisions_images_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
