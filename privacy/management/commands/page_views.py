from django.core.management.base import BaseCommand

from privacy.services.page_views import page_views_flush, page_views_retention_apply


class Command(BaseCommand):
    help = (
        "The page-view log: 'flush' writes the views recorded in Redis to the database now; "
        "'retention' cuts addresses older than PAGE_VIEWS_IP_DAYS to their network and deletes rows "
        "older than PAGE_VIEWS_KEEP_DAYS (what the periodic tasks do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["flush", "retention"])

    def handle(self, *args, action, **options):
        if action == "flush":
            result = page_views_flush()
            self.stdout.write(
                f"written {result.rows} page views in {result.batches} batches "
                f"({result.recovered} left by an interrupted flush finished)"
            )
        else:
            result = page_views_retention_apply()
            self.stdout.write(
                f"addresses cut to their network: {result.truncated}; rows deleted: {result.deleted}; "
                f"old batch keys deleted: {result.batches_deleted}"
            )
