"""The managed list of standard section headings and their conventional order per type."""

from django.db import migrations

CONVENTIONAL_ORDER = {
    "disease": [
        "Causes", "Symptoms", "Exams and Tests", "Treatment", "Support Groups",
        "Outlook (Prognosis)", "Possible Complications", "When to Contact a Medical Professional",
        "Prevention",
    ],
    "symptom": [
        "Considerations", "Causes", "Home Care", "When to Contact a Medical Professional",
        "What to Expect at Your Office Visit",
    ],
    "test": [
        "How the Test is Performed", "How to Prepare for the Test", "How the Test will Feel",
        "Why the Test is Performed", "Normal Results", "What Abnormal Results Mean", "Risks",
        "Considerations",
    ],
    "surgery": [
        "Description", "Why the Procedure is Performed", "Risks", "Before the Procedure",
        "After the Procedure", "Outlook (Prognosis)",
    ],
    "injury": [
        "Considerations", "Causes", "Symptoms", "First Aid", "Do Not",
        "When to Contact a Medical Professional", "Prevention",
    ],
    "nutrition": ["Function", "Food Sources", "Side Effects", "Recommendations"],
    "special_topic": ["Information", "Considerations", "When to Contact a Medical Professional"],
    "self_care": [
        "What to Expect at Home", "Self-care", "When to Contact a Medical Professional",
    ],
}


def add_headings(apps, schema_editor):
    SectionHeading = apps.get_model("encyclopedia", "SectionHeading")
    HeadingPlacement = apps.get_model("encyclopedia", "HeadingPlacement")
    for article_type, names in CONVENTIONAL_ORDER.items():
        for position, name in enumerate(names, start=1):
            heading, _ = SectionHeading.objects.get_or_create(name=name)
            HeadingPlacement.objects.get_or_create(
                heading=heading, article_type=article_type, defaults={"position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("encyclopedia", "0001_initial")]

    operations = [migrations.RunPython(add_headings, migrations.RunPython.noop)]
