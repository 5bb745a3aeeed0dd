from django.urls import path  # noqa: F401 — patterns are added by each capability

from . import followup_views, question_views

app_name = "conversations"

urlpatterns = []

urlpatterns += [
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
]
