from django.urls import path

from . import (
    followup_views,
    notification_views,
    participation_views,
    question_views,
    views_availability,
    views_booking,
    views_calendar,
    views_conversation,
    views_preparation,
)

app_name = "conversations"

urlpatterns = []

urlpatterns += [
    path("", views_conversation.my_conversations, name="list"),
    path("timeline/", views_conversation.career_timeline, name="timeline"),
    path("book/", views_booking.choose_partner, name="choose_partner"),
    path("book/<int:partner_pk>/", views_booking.pick_slot, name="pick_slot"),
    path("book/<int:partner_pk>/confirm/", views_booking.book, name="book"),
    path("<int:pk>/", views_conversation.detail, name="detail"),
    path("<int:pk>/booked/", views_booking.booked, name="booked"),
    path("<int:pk>/reschedule/", views_booking.reschedule_pick_slot, name="reschedule_pick_slot"),
    path("<int:pk>/reschedule/confirm/", views_booking.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views_booking.cancel, name="cancel"),
    path("<int:pk>/preparation/", views_preparation.prepare, name="prepare"),
    path("<int:pk>/preparation/autosave/", views_preparation.autosave, name="autosave_preparation"),
    path("<int:pk>/invite.ics", views_calendar.download_invite, name="download_invite"),
    path("<int:pk>/invite/send/", views_calendar.resend_invitation, name="resend_invitation"),
    path("availability/", views_availability.availability_settings, name="availability"),
    path("availability/days-off/<int:pk>/remove/", views_availability.remove_day_off, name="remove_day_off"),
    path("calendar/", views_calendar.calendar_subscription, name="calendar"),
    path("calendar/reset/", views_calendar.rotate_calendar_link, name="rotate_calendar_link"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
    path("<int:pk>/notes/", followup_views.notes_workspace, name="notes"),
    path("<int:pk>/notes/<str:visibility>/", followup_views.save_notes, name="save_notes"),
    path("<int:pk>/actions/", followup_views.add_action, name="add_action"),
    path("<int:pk>/held/", followup_views.mark_held, name="mark_held"),
    path("<int:pk>/reflection/", followup_views.reflect, name="reflect"),
    path("<int:pk>/roadblocks/", followup_views.add_roadblock, name="add_roadblock"),
    path("<int:pk>/roadblocks/<int:roadblock_pk>/", followup_views.update_roadblock, name="update_roadblock"),
    path("<int:pk>/answer/", followup_views.answer_proposal, name="answer_proposal"),
    path("actions/<int:pk>/", followup_views.edit_action, name="edit_action"),
    path("actions/<int:pk>/done/", followup_views.complete_action, name="complete_action"),
    path("actions/<int:pk>/remove/", followup_views.remove_action, name="remove_action"),
    path("commitments/", followup_views.commitments, name="commitments"),
    path("questions/", question_views.question_library, name="questions"),
    path("questions/<int:pk>/", question_views.edit_question, name="edit_question"),
    path("questions/<int:pk>/change/", question_views.change_question, name="change_question"),
    path("participation/", participation_views.dashboard, name="participation"),
    path("participation.csv", participation_views.dashboard_csv, name="participation_csv"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", notification_views.open_notification, name="notification_open"),
    path("notifications/read/", notification_views.mark_all_read, name="notifications_read"),
]
