"""The secretariat's work in the task queue (meetings.minutes.jobs): the list of what was asked, the page that
follows one job until it is done, and the preview it made."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..minutes import lifecycle
from ..minutes.pdf import pdf_response
from ..models import Job
from .read_only import ReadOnlyAdmin


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "session", "status", "requested_by", "created_at", "finished_at", "followed"]
    list_filter = ["kind", "status"]
    list_select_related = ["session", "requested_by"]
    list_display_links = None

    @admin.display(description=_("progress"))
    def followed(self, job: Job) -> str:
        return format_html('<a href="{}">{}</a>', job.get_absolute_url(), _("Follow it"))

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(lifecycle.SECRETARIAT)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:job_id>/progress/", view(self.progress), name="meetings_job_progress"),
            path("<int:job_id>/status.json", view(self.status), name="meetings_job_status"),
            path("<int:job_id>/preview.pdf", view(self.preview), name="meetings_job_preview"),
            *super().get_urls(),
        ]

    def _job(self, request: HttpRequest, job_id: int) -> Job:
        """The job, for the secretariat and for whoever asked it."""
        job = get_object_or_404(Job.objects.select_related("session", "minutes"), pk=job_id)
        if job.requested_by_id != request.user.pk and not self.has_view_permission(request):
            raise PermissionDenied
        return job

    def progress(self, request: HttpRequest, job_id: int) -> TemplateResponse:
        """The job as it stands; its script asks status.json until it is finished, then shows the result."""
        job = self._job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": job.get_kind_display(),
            "job": job,
            "said": job.where_it_stands(),
        }
        return TemplateResponse(request, "admin/meetings/job/progress.html", context)

    def status(self, request: HttpRequest, job_id: int) -> JsonResponse:
        job = self._job(request, job_id)
        return JsonResponse(
            {
                "status": job.status,
                "finished": job.is_finished,
                "said": job.where_it_stands(),
            }
        )

    def preview(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job(request, job_id)
        if job.kind != Job.Kind.PREVIEW or job.status != Job.Status.DONE or not job.file:
            raise Http404
        with job.file.open("rb") as file:
            return pdf_response(file.read(), job.session, draft=True)
