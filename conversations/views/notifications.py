"""The notification list behind the bell."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from conversations import notifications
from people.permissions import requires


@requires("people.has_person")
def notification_list(request):
    page = Paginator(notifications.notifications_of(request.person), notifications.PAGE_SIZE)
    return render(request, "conversations/notifications.html", {"page": page.get_page(request.GET.get("page"))})


@requires("people.has_person")
def open_notification(request, pk):
    """Follow a notification's link, marking it read on the way."""
    url = notifications.open_notification(person=request.person, pk=pk, now=timezone.now())
    return redirect(url or "conversations:notifications")


@require_POST
@requires("people.has_person")
def mark_all_read(request):
    count = notifications.mark_all_read(person=request.person, now=timezone.now())
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("conversations:notifications")
