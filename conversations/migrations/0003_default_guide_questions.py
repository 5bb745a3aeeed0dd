"""The question library's default set: open questions, per area, that help a partner guide the conversation
rather than direct it. HR edits them afterwards; an area that already has questions is left as it is."""

from django.db import migrations

DEFAULT_QUESTIONS = {
    "abilities": [
        "Which pieces of work since we last talked are you proudest of, and what did they draw on in you?",
        "Where do colleagues come to you for help, and what does that tell you about the value you bring?",
        "How do you think your contribution is seen by the team and by leadership? What makes you think so?",
        "Which of your strengths do you feel we use too little today?",
        "What have you learned about yourself at work recently?",
    ],
    "roadblocks": [
        "What gets in the way of doing your best work right now?",
        "Which of these roadblocks are within your control, and which need someone else to move?",
        "When did a roadblock last stop you, and what did you try?",
        "What support, resource or decision would make the biggest difference?",
        "Is anything we agreed last time still stuck? What would unstick it?",
    ],
    "environment": [
        "Think of a week when you did your best work: what was around you?",
        "How well do the way we work — hours, place, meetings, tools — suit the contribution you want to make?",
        "Which people, or which kinds of team, bring out the best in you?",
        "If you could change one thing about where and how you work, what would it be?",
        "Is anything outside work that you would like us to take into account, if you want to share it?",
    ],
    "soft_skills": [
        "Which situations with people — disagreeing, presenting, influencing without authority — feel easiest "
        "for you, and which feel hardest?",
        "What feedback on how you work with others has stayed with you, and what did you make of it?",
        "Which soft skill would open the most doors for the career you want?",
    ],
    "technical_skills": [
        "Which skills does your next step call for that you do not have yet?",
        "Which technical area would you like to go deeper in, and what draws you to it?",
        "How do you learn best: a stretch project, a course, pairing with someone?",
    ],
    "peer_differentiators": [
        "What do you do that peers in similar roles do not, or do differently?",
        "What would people miss if you moved to another team tomorrow?",
        "Whose career path interests you, and what do they do that you would like to learn?",
    ],
}


def add_default_questions(apps, schema_editor):
    GuideQuestion = apps.get_model("conversations", "GuideQuestion")
    for area, texts in DEFAULT_QUESTIONS.items():
        if GuideQuestion.objects.filter(area=area).exists():
            continue
        GuideQuestion.objects.bulk_create(
            GuideQuestion(area=area, text=text, position=position) for position, text in enumerate(texts, start=1)
        )


def remove_default_questions(apps, schema_editor):
    GuideQuestion = apps.get_model("conversations", "GuideQuestion")
    for area, texts in DEFAULT_QUESTIONS.items():
        GuideQuestion.objects.filter(area=area, text__in=texts).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0002_roadblock_handover"),
    ]

    operations = [
        migrations.RunPython(add_default_questions, remove_default_questions),
    ]
