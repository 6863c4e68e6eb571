from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list of what happened (the duties' log, the work in the queue): nobody adds, changes or deletes a row."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
