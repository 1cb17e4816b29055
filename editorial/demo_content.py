"""The sample content ``load_demo`` puts in a fresh database.

Every text here was written for this project as demonstration material. People,
organizations, books, journals and websites are fictional; web addresses use the
reserved example.org domain. Keeping the data apart from the command lets editors
read and change the samples without touching the loading logic.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from editorial.importer.parser import CitationData
from encyclopedia.coding import CodeSystem

SAMPLE_NOTE = "Sample content for demonstration; not medical advice."

# Fixed dates, so that loading the demo again on another day changes nothing.
CITATION_ACCESSED = datetime.date(2026, 9, 1)
ACCREDITATION_VALID_FROM = datetime.date(2025, 7, 1)

PUBLISHER = "Example Health Publishing"


@dataclass(frozen=True)
class ReviewerData:
    name: str
    credentials: str
    title: str
    department: str
    institution: str
    city: str
    state: str
    specialty: str


@dataclass(frozen=True)
class CreditData:
    name: str
    credentials: str
    role: str


@dataclass(frozen=True)
class PolicyData:
    slug: str
    title: str
    body: str


@dataclass(frozen=True)
class SectionData:
    heading: str
    body: str


@dataclass(frozen=True)
class ArticleData:
    public_id: str
    title: str
    article_type: str
    reviewer: str
    summary: str
    sections: tuple[SectionData, ...]
    alternative_names: tuple[str, ...]
    citations: tuple[str, ...]  # citation titles, in reference-list order
    due_in_days: int  # when its next review falls due, counted from the first load (negative: overdue)
    queue: str = ""  # with no reviewer: the specialty queue that reviews it ("" and no reviewer: unassigned)
    related: tuple[str, ...] = ()  # public ids of its related articles
    image: SampleImage | None = None
    # Coded concepts (code system OID, code, display name), for the Infobutton service.
    codes: tuple[tuple[str, str, str], ...] = ()
    live: bool = True  # False: a new article that was never published
    # What the demo team does with it once loaded (DEBUG only, with the demo logins): see STEPS.
    step: str = ""


@dataclass(frozen=True)
class SampleImage:
    """An illustration drawn at load time (never downloaded): two colours and the shapes to draw."""

    alt: str
    caption: str
    background: str
    accent: str
    shape: str  # "joint", "bone", "sun", "chest"


# What the demo team writes as it takes those steps.
DRAFT_SENTENCE = "This sentence was added by the demo editor as a draft change."
SUBMISSION_NOTE = "Sample note: one sentence added at the end of the first section."
CHANGES_COMMENT = "Sample comment: say where the added advice comes from, then submit again."
REVIEW_NOTES = "Sample review: checked against the listed references."

# The steps load_demo takes as the demo logins, so that every dashboard panel has something in it.
STEPS = {
    "draft": "the editor changes the live page: a draft waits",
    "in_review": "the editor changes it and submits it to the demo reviewer",
    "in_review_any": "the editor submits it to any medical reviewer",
    "changes_requested": "submitted, then the reviewer asks for changes",
    "scheduled": "submitted, then approved to go live in a few days",
    "published_update": "submitted, then approved and published now",
}


CITATIONS: tuple[CitationData, ...] = (
    CitationData(
        kind="book_chapter",
        authors="Rivera L, Okafor C",
        title="Reflexes of the diaphragm and upper airway",
        editors="Hartman M, Selby J",
        container_title="Example Textbook of General Medicine",
        edition="3rd",
        place="Springfield, IL",
        publisher="Example Medical Press",
        year="2024",
        chapter="12",
    ),
    CitationData(
        kind="book_chapter",
        authors="Ellery MT, Adebayo F",
        title="Measuring glucose in blood and plasma",
        editors="Lindqvist A",
        container_title="Example Handbook of Laboratory Medicine",
        edition="2nd",
        place="Springfield, IL",
        publisher="Example Medical Press",
        year="2025",
        chapter="7",
    ),
    CitationData(
        kind="book",
        authors="Lindqvist A",
        title="Everyday Symptoms: A Practical Guide for Primary Care",
        edition="2nd",
        place="Springfield, IL",
        publisher="Example Medical Press",
        year="2023",
    ),
    CitationData(
        kind="journal_article",
        authors="Okafor C, Baptiste R, Nakamura T",
        title="Home care advice for adults with mild upper respiratory infections: a narrative review",
        container_title="Example Journal of Primary Care",
        year="2022",
        volume="14",
        issue="3",
        pages="101-109",
    ),
    CitationData(
        kind="website",
        title="Caring for a cold at home",
        container_title="Example Health Library",
        url="https://www.example.org/health-library/caring-for-a-cold",
        updated="March 3, 2025",
        accessed=CITATION_ACCESSED,
    ),
    CitationData(
        kind="website",
        title="Checking your blood sugar",
        container_title="Example Health Library",
        url="https://www.example.org/health-library/checking-blood-sugar",
        updated="June 12, 2025",
        accessed=CITATION_ACCESSED,
    ),
    CitationData(
        kind="guideline",
        authors="Example Society for Metabolic Health",
        title="Recommendations for blood glucose testing in adults",
        place="Springfield, IL",
        publisher="Example Society for Metabolic Health",
        year="2025",
    ),
)

REVIEWERS: tuple[ReviewerData, ...] = (
    ReviewerData(
        name="Dana R. Whitfield",
        credentials="MD",
        title="Associate Professor of Medicine",
        department="Department of Internal Medicine",
        institution="Example University School of Medicine",
        city="Springfield",
        state="IL",
        specialty="Internal medicine",
    ),
    ReviewerData(
        name="Marcus T. Ellery",
        credentials="MD, PhD",
        title="Clinical Professor",
        department="Department of Pathology and Laboratory Medicine",
        institution="Example University School of Medicine",
        city="Springfield",
        state="IL",
        specialty="Clinical pathology",
    ),
)

# The reviewer the demo "reviewer" login belongs to.
REVIEWER_LOGIN_NAME = "Dana R. Whitfield"
# The reviewer the demo "reviewer_en" login belongs to: English only, so a Spanish edition is
# refused to it.
ENGLISH_REVIEWER_LOGIN_NAME = "Marcus T. Ellery"

REVIEW_ORGANIZATION = "Example Medical Review Group"

EDITORIAL_CREDITS: tuple[CreditData, ...] = (
    CreditData(name="Priya N. Castellanos", credentials="MD, MHA", role="Medical Director"),
    CreditData(name="Jonah K. Brennan", credentials="", role="Editorial Director"),
    CreditData(name="the Example Health Editorial team", credentials="", role=""),
)

_POLICY_NOTE = "*Sample text for demonstration. Replace it with your own policy before going live.*"

POLICIES: tuple[PolicyData, ...] = (
    PolicyData(
        slug="editorial-policy",
        title="Editorial policy",
        body=f"""{_POLICY_NOTE}

Our articles explain health topics in plain language for patients, families and carers.
We write for understanding, not for sales: no article promotes a product, and no
advertiser sees or shapes an article before it is published.

What we aim for:

- Each article states when a clinician last reviewed it.
- Each article lists the sources it draws on.
- We correct errors as soon as we learn of them, and we note the new review date.
""",
    ),
    PolicyData(
        slug="editorial-process",
        title="Editorial process",
        body=f"""{_POLICY_NOTE}

An article starts as a draft written by our editors. A practising clinician in the
relevant field then reads it, checks it against current sources and asks for changes.
Only when the reviewer approves it does an editorial director publish it.

We look at every article again at least every few years, and sooner when practice
changes. Readers can tell us about mistakes; an editor answers every report.
""",
    ),
    PolicyData(
        slug="privacy-policy",
        title="Privacy policy",
        body=f"""{_POLICY_NOTE}

You can read every article without an account. We keep standard server logs for a
short time to keep the site secure and running, and we do not sell information about
our readers.

- We set no advertising cookies.
- We do not ask for your health details to show you an article.
- Questions about privacy go to privacy@example.org.
""",
    ),
    PolicyData(
        slug="about",
        title="About this encyclopedia",
        body=f"""{_POLICY_NOTE}

This demonstration site shows how a consumer medical encyclopedia can be written,
reviewed and published. Its articles, reviewers and references are invented for the
demo. Nothing here is medical advice: talk to a health care professional about your
own health.
""",
    ),
)

ACCREDITATION_BODY = "Example Health Accreditation Council"
ACCREDITATION_BODY_URL = "https://accreditation.example.org/"
ACCREDITATION_PROGRAM = "Health Content Provider"
ACCREDITATION_PROGRAM_URL = "https://accreditation.example.org/programs/health-content"
ACCREDITATION_STATEMENT = f"""*Sample notice for demonstration.*

{PUBLISHER} holds {ACCREDITATION_PROGRAM} accreditation from the
[{ACCREDITATION_BODY}]({ACCREDITATION_BODY_URL}). To keep it, we show the council each
year how our articles are reviewed by clinicians, dated, sourced and kept apart from
advertising.
"""

HICCUPS = "900001"
# The code systems' OIDs (encyclopedia.coding.CodeSystem), for the sample articles' codes.
ICD10CM, ICD9CM, SNOMEDCT, LOINC, CPT = (system.value for system in CodeSystem)

COMMON_COLD = "900002"
BLOOD_GLUCOSE_TEST = "900003"

ARTICLES: tuple[ArticleData, ...] = (
    ArticleData(
        public_id=HICCUPS,
        title="Hiccups",
        article_type="symptom",
        reviewer="Dana R. Whitfield",
        summary=f"""*{SAMPLE_NOTE}*

A hiccup is a sudden, involuntary tightening of the diaphragm, the sheet of muscle
under the lungs. A moment later the vocal cords snap shut, which makes the familiar
"hic" sound. Unlike a [common cold](article:{COMMON_COLD}), hiccups are not an
illness: they are a reflex that almost always stops by itself.
""",
        sections=(
            SectionData(
                "Considerations",
                """Most bouts of hiccups last a few minutes and need no treatment. They can be
tiresome or embarrassing, but they are rarely a sign of anything serious.

Hiccups that go on for more than two days are called persistent hiccups. These are
uncommon and are worth mentioning to a health care provider.
""",
            ),
            SectionData(
                "Causes",
                """Anything that stretches the stomach or irritates the nerves to the diaphragm can
set off a bout. Common triggers include:

- Eating a large meal quickly
- Fizzy drinks or swallowed air
- A sudden change in temperature, such as a cold drink after hot food
- Excitement, laughter or stress
""",
            ),
            SectionData(
                "Home Care",
                """There is no single trick that works for everyone, but many people find that one
of these helps:

- Sip a glass of cold water slowly.
- Hold your breath for a short count, then breathe out gently.
- Breathe slowly into cupped hands for a minute.

Eating smaller meals and drinking fewer fizzy drinks may make bouts less frequent.
""",
            ),
            SectionData(
                "When to Contact a Medical Professional",
                """Contact your provider if:

- Hiccups last longer than 48 hours.
- Hiccups keep you from eating, drinking or sleeping.
- You also have belly pain, chest pain, vomiting or trouble breathing.
""",
            ),
        ),
        alternative_names=("Hiccough", "Singultus"),
        citations=(
            "Reflexes of the diaphragm and upper airway",
            "Everyday Symptoms: A Practical Guide for Primary Care",
        ),
        due_in_days=-21,
    ),
    ArticleData(
        public_id=COMMON_COLD,
        title="Common cold",
        article_type="disease",
        reviewer="Dana R. Whitfield",
        summary=f"""*{SAMPLE_NOTE}*

A common cold is a mild infection of the nose and throat caused by a virus. Most
adults catch a few colds a year, and children catch more. A cold usually clears up
on its own within a week to ten days.
""",
        sections=(
            SectionData(
                "Causes",
                """Many different viruses cause colds. They spread through droplets from coughs and
sneezes, and from hands that touch a surface and then the eyes, nose or mouth.

Colds are more common in the colder months, when people spend more time indoors
close together.
""",
            ),
            SectionData(
                "Symptoms",
                """Symptoms usually start one to three days after contact with the virus. They may
include:

- A runny or stuffy nose and sneezing
- A scratchy or sore throat
- A mild cough
- Feeling tired, with a low fever in some people
""",
            ),
            SectionData(
                "Exams and Tests",
                f"""A provider can usually tell that you have a cold from your symptoms. Tests are
rarely needed. People who have diabetes may be asked to check their blood sugar more
often while they are ill; see [blood glucose test](article:{BLOOD_GLUCOSE_TEST}).
""",
            ),
            SectionData(
                "Treatment",
                """Antibiotics do not work against cold viruses. Care at home aims to ease symptoms
while the body clears the infection:

- Rest, and drink plenty of fluids.
- Use saline nose drops or a humidifier for a stuffy nose.
- Ask a pharmacist which over-the-counter medicines suit you, and follow the label.
""",
            ),
            SectionData(
                "Outlook (Prognosis)",
                """Most people feel better within a week, although a cough can linger a little
longer. Contact your provider if symptoms get worse after the first few days, or if
you have a high fever or trouble breathing.
""",
            ),
        ),
        alternative_names=("Cold", "Upper respiratory infection - viral", "Head cold"),
        codes=(
            (ICD10CM, "J00", "Acute nasopharyngitis [common cold]"),
            (ICD9CM, "460", "Acute nasopharyngitis [common cold]"),
            (SNOMEDCT, "82272006", "Common cold"),
        ),
        citations=(
            "Home care advice for adults with mild upper respiratory infections: a narrative review",
            "Caring for a cold at home",
            "Everyday Symptoms: A Practical Guide for Primary Care",
        ),
        due_in_days=19,
    ),
    ArticleData(
        public_id=BLOOD_GLUCOSE_TEST,
        title="Blood glucose test",
        article_type="test",
        reviewer="Marcus T. Ellery",
        summary=f"""*{SAMPLE_NOTE}*

A blood glucose test measures the amount of sugar (glucose) in your blood. Glucose
is the body's main source of energy. The test helps find and follow conditions that
affect how the body handles sugar, such as diabetes.
""",
        sections=(
            SectionData(
                "How the Test is Performed",
                """A health care worker takes a small sample of blood from a vein, usually on the
inside of the elbow. At home, people often check their level with a drop of blood
from a fingertip and a handheld meter.
""",
            ),
            SectionData(
                "How to Prepare for the Test",
                """Your provider will tell you whether to fast first. For a fasting test you should
not eat or drink anything except water for about 8 hours beforehand.

- Tell your provider about any medicines you take.
- Do not stop a medicine unless your provider tells you to.
""",
            ),
            SectionData(
                "Normal Results",
                """Normal ranges differ a little from one laboratory to another and depend on when
you last ate. Ask your provider what your result means for you.
""",
            ),
            SectionData(
                "What Abnormal Results Mean",
                f"""A level above the normal range may point to diabetes or to a raised risk of it.
A single high result is usually checked with a repeat test. Stress and short
illnesses such as a [common cold](article:{COMMON_COLD}) can raise the level for a
while.

A low level can happen in people who take some diabetes medicines, or after a long
time without food.
""",
            ),
            SectionData(
                "Risks",
                """Having blood drawn carries little risk. You may feel a brief sting and have a
small bruise afterward. Fainting or infection where the needle went in is rare.
""",
            ),
        ),
        alternative_names=("Blood sugar test", "Fasting blood glucose", "Glucose level - blood"),
        codes=(
            (LOINC, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
            (CPT, "82947", "Glucose; quantitative, blood"),
        ),
        citations=(
            "Measuring glucose in blood and plasma",
            "Recommendations for blood glucose testing in adults",
            "Checking your blood sugar",
        ),
        due_in_days=400,
    ),
)
