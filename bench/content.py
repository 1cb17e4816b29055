"""Deterministic, made-up article content for the benchmark data set, and its pages as files.

The text is generated from small word lists; it reads like an encyclopedia page in shape
(title, summary, six sections with paragraphs and bullet lists, alternative names,
references) but says nothing medically meaningful. Nothing is copied from any source.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


def _phrases(text: str) -> list[str]:
    """Phrases separated by semicolons (the line breaks inside one are spaces)."""
    return [" ".join(phrase.split()) for phrase in text.split(";")]


def _mapping(text: str) -> dict[str, list[str]]:
    """``key: a, b; key2: c, d`` as a dict of lists."""
    pairs = (phrase.split(":", 1) for phrase in _phrases(text))
    return {key: [value.strip() for value in values.split(",")] for key, values in pairs}


def _pairs(text: str) -> list[tuple[str, str]]:
    """``Springfield IL; Riverton WY`` as (city, state) pairs."""
    return [tuple(phrase.rsplit(" ", 1)) for phrase in _phrases(text)]


MODIFIERS = _words(
    """
    Acute Chronic Congenital Benign Hereditary Juvenile Recurrent Secondary Primary Severe Mild
    Infectious Allergic Drug-induced Exercise-induced Late-onset Adult-onset Viral Bacterial Fungal
    Neonatal Postpartum Seasonal Occupational Idiopathic Toxic Traumatic Localized Diffuse Uncomplicated
    Transient Nodular
    """
)

CONDITIONS = _mapping(
    """
    diabetes: high blood sugar, glucose disorder; asthma: reactive airway disease, bronchial
    hyperreactivity; hypertension: high blood pressure, raised blood pressure; arthritis: joint
    inflammation, arthropathy; bronchitis: chest cold, airway inflammation; dermatitis: skin rash,
    eczema; hepatitis: liver inflammation, liver infection; gastritis: stomach inflammation, stomach
    lining irritation; anemia: low red blood cell count, low hemoglobin; migraine: severe headache,
    vascular headache; pneumonia: lung infection, chest infection; sinusitis: sinus infection,
    rhinosinusitis; tendinitis: tendon inflammation, tendon pain; thyroiditis: thyroid inflammation,
    thyroid swelling; nephritis: kidney inflammation, renal inflammation; colitis: colon inflammation,
    bowel inflammation; pancreatitis: pancreas inflammation, pancreatic pain; cystitis: bladder
    infection, urinary tract infection; conjunctivitis: pink eye, eye inflammation; otitis: ear
    infection, middle ear inflammation; neuropathy: nerve damage, nerve pain; myopathy: muscle disease,
    muscle weakness; cardiomyopathy: heart muscle disease, enlarged heart; arrhythmia: irregular
    heartbeat, heart rhythm disorder; angina: chest pain, cardiac chest pain; heart failure: weak heart,
    cardiac failure; stroke: brain attack, cerebrovascular accident; epilepsy: seizure disorder,
    convulsions; insomnia: trouble sleeping, sleeplessness; depression: low mood, depressive disorder;
    anxiety: nervousness, anxiety disorder; obesity: excess body weight, overweight; osteoporosis:
    thinning bones, low bone density; gout: uric acid arthritis, gouty arthritis; psoriasis: scaly skin
    patches, plaque skin disease; acne: pimples, skin blemishes; cataract: cloudy lens, lens opacity;
    glaucoma: raised eye pressure, optic nerve damage; tonsillitis: sore throat, throat infection;
    laryngitis: hoarse voice, voice box inflammation; vertigo: dizziness, spinning sensation; tinnitus:
    ringing in the ears, ear noise; hernia: bulge in the abdomen, abdominal wall weakness; appendicitis:
    appendix inflammation, appendix infection; gallstones: gallbladder stones, cholelithiasis; kidney
    stones: renal calculi, urinary stones; ulcer: sore, open sore; scoliosis: curved spine, spinal
    curvature; sciatica: leg nerve pain, lower back nerve pain; bursitis: bursa inflammation, joint sac
    swelling; cellulitis: skin infection, deep skin infection; lymphedema: lymph swelling, limb
    swelling; thrombosis: blood clot, clotting in a vein; embolism: blocked artery, traveling blood
    clot; vasculitis: blood vessel inflammation, angiitis; lupus: systemic autoimmune disease,
    autoimmune inflammation; celiac disease: gluten intolerance, gluten enteropathy; lactose
    intolerance: milk intolerance, lactase deficiency; rickets: soft bones, vitamin D deficiency bone
    disease; scurvy: vitamin C deficiency, ascorbic acid deficiency; measles: rubeola, red measles;
    mumps: parotid swelling, epidemic parotitis; influenza: flu, seasonal flu; tuberculosis: TB, lung
    tuberculosis; malaria: mosquito-borne fever, plasmodium infection; sepsis: blood infection,
    septicemia; dehydration: fluid loss, low body water; hypothermia: low body temperature, cold
    exposure illness; heat stroke: heat illness, sunstroke; pregnancy nausea: morning sickness, nausea
    in pregnancy; preeclampsia: high blood pressure in pregnancy, toxemia; endometriosis: endometrial
    implants, pelvic pain disorder; prostatitis: prostate inflammation, prostate infection;
    incontinence: bladder leakage, loss of bladder control; constipation: hard stools, infrequent bowel
    movements; diarrhea: loose stools, frequent bowel movements; reflux: heartburn, acid reflux;
    dementia: memory loss, cognitive decline; tremor: shaking, involuntary trembling; palsy: paralysis,
    muscle paralysis; fibromyalgia: widespread pain, chronic pain syndrome; carpal tunnel syndrome:
    wrist nerve compression, median nerve entrapment; sleep apnea: breathing pauses in sleep,
    obstructive apnea; rosacea: facial redness, adult acne; warts: verrucae, skin growths; shingles:
    herpes zoster, zoster; chickenpox: varicella, varicella infection
    """
)

SITES = _words(
    """
    knee hip ankle wrist elbow shoulder neck back chest abdomen pelvis foot hand finger toe jaw eye ear
    nose throat skin scalp spine heart lung liver kidney bladder colon stomach thyroid breast prostate
    uterus ovary brain bone muscle tooth gum
    """
)

SYMPTOMS = _words(
    """
    pain swelling numbness stiffness redness itching weakness lump bleeding tenderness cramps spasms
    """
)

ANALYTES = _phrases(
    """
    glucose; calcium; potassium; sodium; magnesium; iron; ferritin; albumin; bilirubin; creatinine; urea
    nitrogen; cholesterol; triglycerides; insulin; cortisol; thyroxine; prolactin; testosterone;
    estradiol; vitamin B12; folate; vitamin D; lactate; ammonia; amylase; lipase; troponin; fibrinogen;
    platelet count; white blood cell count; hemoglobin; hematocrit; uric acid; phosphorus; chloride;
    copper; zinc; lead; alcohol; antibody
    """
)

TESTS = ["blood test", "urine test", "level", "screening", "panel"]

IMAGING = ["MRI scan", "CT scan", "ultrasound", "x-ray", "biopsy", "endoscopy"]

PROCEDURES = _phrases(
    """
    replacement; repair; removal; surgery; arthroscopy; reconstruction; transplant; drainage; fusion;
    laser surgery
    """
)

INJURIES = ["fracture", "sprain", "dislocation", "bruise", "burn", "cut", "strain", "bite"]

NUTRIENTS = _phrases(
    """
    Vitamin A; Vitamin C; Vitamin E; Vitamin K; Thiamin; Riboflavin; Niacin; Biotin; Iodine; Selenium;
    Manganese; Fluoride; Protein; Fiber; Omega-3 fats; Carbohydrates; Calcium; Iron; Zinc; Potassium;
    Sodium; Magnesium; Caffeine; Water; Folic acid
    """
)

NUTRITION_TOPICS = _phrases(
    """
    in diet; deficiency; and children; supplements; and pregnancy; in older adults; food sources
    """
)

TOPICS = _phrases(
    """
    Caring for; Safety tips for; Preparing for; Living with; Talking to your provider about; Questions
    to ask about; Traveling with; Exercise and; Nutrition and; Sleep and
    """
)

GENERAL = _words(
    """
    treatment symptoms risk health care provider medicine pain infection exercise diet fever fatigue
    weakness swelling breathing sleep appetite weight rest fluids antibiotics vaccine screening exam
    doctor nurse hospital clinic emergency causes prevention outlook children adults pregnancy family
    history lifestyle smoking alcohol stress nausea vomiting dizziness rash cough surgery therapy
    recovery complications diagnosis imaging hormones insulin cholesterol vitamins minerals hydration
    mobility posture hygiene allergies immunity genetics inflammation circulation digestion metabolism
    nutrition counseling monitoring follow-up medication dosage side effects relapse remission
    rehabilitation physiotherapy bandages compression elevation ice heat massage stretching braces
    splints crutches wheelchair hearing vision speech memory mood anxiety depression confusion seizures
    tremor numbness tingling bruising bleeding clotting anemia dehydration constipation diarrhea
    heartburn bloating cramps itching dryness sweating chills thirst urination incontinence menstruation
    menopause fertility breastfeeding infancy adolescence aging caregivers telehealth referrals
    insurance
    """
)

VERBS = _phrases(
    """
    can cause; may lead to; often improves; is linked to; can worsen; usually affects; may reduce; is
    treated with; is checked by; rarely causes; helps control; can prevent
    """
)

OPENERS = _phrases(
    """
    In most cases,; Sometimes; Often; For many people,; In some cases,; Usually; In older adults,; Over
    time,; At first,; Rarely,; Later on,; If untreated,
    """
)

SPECIALTIES = _phrases(
    """
    Cardiology; Dermatology; Endocrinology; Gastroenterology; Internal medicine; Nephrology; Neurology;
    Obstetrics; Oncology; Ophthalmology; Orthopedics; Otolaryngology; Pediatrics; Psychiatry;
    Pulmonology; Rheumatology; Urology; Family medicine; Emergency medicine; Nutrition
    """
)

FIRST_NAMES = _words(
    """
    Alex Jordan Sam Taylor Morgan Casey Robin Jamie Avery Riley Quinn Drew Harper Rowan Emerson Sasha
    Noa Kai Elliot Dana
    """
)

LAST_NAMES = _words(
    """
    Fernwood Halvorsen Okafor Lindqvist Moreau Takeda Varga Castellan Brightwater Ashdown Kowalczyk
    Delacroix Nakamura Osei Petrov Quayle Rinaldi Sorensen Thornbury Umarov Valdés Whitcombe Yilmaz
    Zeller
    """
)

INSTITUTIONS = _phrases(
    """
    Lakeside University School of Medicine; Northfield Medical College; Riverbend University Hospital;
    Westbrook Health Institute; Eastgate Medical Center
    """
)

JOURNALS = _phrases(
    """
    Journal of Clinical Examples; Annals of Sample Medicine; Archives of Illustrative Care; Review of
    Placeholder Therapeutics; Bulletin of Generic Health
    """
)

BOOKS = _phrases(
    """
    Textbook of Example Medicine; Principles of Sample Practice; Handbook of Illustrative Care; Manual
    of Made-up Therapeutics
    """
)

SEARCH_QUERIES = _phrases(
    """
    diabetes symptoms; chest pain breathing; high blood pressure treatment; asthma children; knee
    replacement risk; potassium test results; migraine headache treatment; nausea pregnancy; skin rash
    itching; thyro*
    """
)

HEADINGS = _mapping(
    """
    disease: Causes, Symptoms, Exams and Tests, Treatment, Outlook (Prognosis), When to Contact a
    Medical Professional; symptom: Considerations, Causes, Home Care, When to Contact a Medical
    Professional, What to Expect at Your Office Visit, Prevention; test: How the Test is Performed, How
    to Prepare for the Test, How the Test will Feel, Why the Test is Performed, Normal Results, What
    Abnormal Results Mean; surgery: Description, Why the Procedure is Performed, Risks, Before the
    Procedure, After the Procedure, Outlook (Prognosis); injury: Considerations, Causes, Symptoms, First
    Aid, Do Not, Prevention; nutrition: Function, Food Sources, Side Effects, Recommendations,
    Considerations, When to Contact a Medical Professional; special_topic: Information, Considerations,
    Causes, Prevention, Treatment, When to Contact a Medical Professional
    """
)

CITIES = _pairs(
    """
    Springfield IL; Riverton WY; Fairview OR; Greenville SC; Franklin TN; Clinton IA; Madison WI;
    Georgetown TX
    """
)


QUALIFIERS = [
    "",
    "",
    "",
    *(
        " " + q
        for q in _phrases(
            "in children; in pregnancy; in older adults; - discharge; - aftercare; - self-care; of the newborn"
        )
    ),
]
PUBLISHERS = [
    ("Philadelphia, PA", "Sample Press"),
    ("New York, NY", "Example House"),
    ("Boston, MA", "Placeholder Books"),
]
ZIPF = [1.0 / rank for rank in range(1, len(GENERAL) + 1)]
# Domain terms, drawn uniformly: each names a condition, body part, test or nutrient.
DOMAIN = sorted(
    {
        *(word for condition in CONDITIONS for word in condition.split()),
        *SITES,
        *SYMPTOMS,
        *(a.split()[0] for a in ANALYTES),
        *INJURIES,
        *(p.split()[0] for p in PROCEDURES),
        *(n.split()[0].lower() for n in NUTRIENTS),
    }
)


def all_titles() -> list[tuple[str, str, list[str]]]:
    """Every title the generator can make: (title, article type, alternative-name candidates)."""
    out: list[tuple[str, str, list[str]]] = []
    for condition, synonyms in CONDITIONS.items():
        for qualifier in QUALIFIERS:
            out.append((condition.capitalize() + qualifier, "disease", [s + qualifier for s in synonyms]))
            for modifier in MODIFIERS:
                title = f"{modifier} {condition}{qualifier}"
                out.append((title, "disease", [f"{modifier} {s}{qualifier}" for s in synonyms]))
    for site in SITES:
        place = site.capitalize()
        for kind, terms, names in (
            ("symptom", SYMPTOMS, ["{T} in the {s}", "{P} {t} syndrome"]),
            ("test", IMAGING, ["{T} of the {s}", "{P} imaging"]),
            ("surgery", PROCEDURES, ["{T} of the {s}", "{P} operation"]),
            ("injury", INJURIES, ["{T} of the {s}", "Injured {s}"]),
        ):
            for term in terms:
                values = {"T": term.capitalize(), "t": term, "s": site, "P": place}
                out.append((f"{place} {term}", kind, [name.format(**values) for name in names]))
    for analyte in ANALYTES:
        for test in TESTS:
            names = [f"{test.capitalize()} for {analyte}", f"Serum {analyte}"]
            out.append((f"{analyte[0].upper() + analyte[1:]} {test}", "test", names))
    for nutrient in NUTRIENTS:
        for topic in NUTRITION_TOPICS:
            names = [f"{nutrient} intake", f"Dietary {nutrient.lower()}"]
            out.append((f"{nutrient} {topic}", "nutrition", names))
    for topic in TOPICS:
        for condition in CONDITIONS:
            names = [f"{condition.capitalize()} guide", f"{condition.capitalize()} and daily life"]
            out.append((f"{topic} {condition}", "special_topic", names))
    seen: set[str] = set()
    unique = []
    for title, kind, names in out:
        if title.lower() not in seen:
            seen.add(title.lower())
            unique.append((title, kind, names))
    random.Random(20260101).shuffle(unique)
    return unique


def sentence(rng: random.Random, subject: str) -> str:
    first, middle, last = rng.choices(GENERAL, weights=ZIPF, k=3)
    if rng.random() < 0.5:
        middle = rng.choice(DOMAIN)
    return (
        f"{rng.choice(OPENERS)} {subject} {rng.choice(VERBS)} {first} and {middle}, especially with {last}."
    )


def paragraph(rng: random.Random, subject: str, count: int) -> str:
    return " ".join(sentence(rng, subject) for _ in range(count))


def list_item(rng: random.Random) -> str:
    a, b = rng.choices(GENERAL, weights=ZIPF, k=1)[0], rng.choice(DOMAIN)
    return f"{a.capitalize()} {rng.choice(['changes', 'problems', 'checks', 'care', 'support'])} with {b}"


@dataclass
class ArticleText:
    title: str
    article_type: str
    summary: str
    sections: list[tuple[str, str]]  # (heading, markdown)
    alternative_names: list[str]


def article_text(index: int, title: str, kind: str, names: list[str], link_targets: list[str]) -> ArticleText:
    """One article: 6 sections, about 15 list items in three lists, 3 alternative names, and a
    link to each of ``link_targets`` (article ids) in the third and sixth sections."""
    rng = random.Random(index * 7919 + 17)
    subject = title.lower()
    summary = paragraph(rng, subject, 2)
    links = list(link_targets)
    sections = []
    for position, heading in enumerate(HEADINGS.get(kind, HEADINGS["special_topic"])):
        parts = [paragraph(rng, subject, rng.randint(2, 4))]
        if position in (1, 3, 4):
            items = "\n".join(f"- {list_item(rng)}" for _ in range(5))
            parts += ["They may include:", items, paragraph(rng, subject, 1)]
        if links and position in (2, 5):
            parts.append(f"See also [related information](/ency/article/{links.pop()}.htm) for more detail.")
        sections.append((heading, "\n\n".join(parts)))
    alternatives = list(dict.fromkeys(names))[:2]
    alternatives.append(f"{title} ({rng.choice(['condition', 'topic', 'disorder', 'overview'])})")
    return ArticleText(title, kind, summary, sections, alternatives[:3])


def page(text: ArticleText, *, public_id: str | None, references: list[str], review: str, credit: str) -> str:
    """``text`` as a page file for ``manage.py import_articles`` (Markdown with ## headings):
    its id (if given), references, review date (m/d/yyyy) and "Updated by" credit."""
    lines = [f"URL of this page: /ency/article/{public_id}.htm", ""] if public_id else []
    lines += [f"# {text.title}", "", text.summary, ""]
    for heading, body in text.sections:
        lines += [f"## {heading}", "", body, ""]
    lines += ["## Alternative Names", "", "; ".join(text.alternative_names), "", "## References", ""]
    lines += [f"- {reference}" for reference in references]
    lines += ["", f"Review Date {review}", "", f"Updated by: {credit}", ""]
    return "\n".join(lines)


def reviewer_rows(count: int = 40) -> list[dict]:
    rng = random.Random(99)
    rows = []
    for i in range(count):
        city, state = rng.choice(CITIES)
        credentials = rng.choice(["MD", "MD, PhD", "DO", "MD, MPH", "PharmD"])
        title = rng.choice(["Professor of Medicine", "Associate Professor", "Clinical Instructor", ""])
        rows.append(
            {
                "name": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}",
                "credentials": credentials,
                "title": title,
                "department": f"Department of {SPECIALTIES[i % len(SPECIALTIES)]}",
                "institution": rng.choice(INSTITUTIONS),
                "city": city,
                "state": state,
                "specialty": SPECIALTIES[i % len(SPECIALTIES)],
            }
        )
    return rows


CITATION_FIELDS = (
    "authors title editors container_title edition place publisher year volume issue pages chapter"
)


def citation_rows(count: int) -> list[dict]:
    """A pool of structured citations (shared by articles, as real references are)."""
    rng = random.Random(7)
    rows = []
    for i in range(count):
        authors = ", ".join(
            f"{rng.choice(LAST_NAMES)} {rng.choice('ABCDEFGHJKLMNPRST')}{rng.choice('ABCDEFGH')}"
            for _ in range(rng.randint(1, 3))
        )
        topic = " ".join([*rng.choices(GENERAL, weights=ZIPF, k=2), rng.choice(DOMAIN)])
        year = str(rng.randint(2015, 2025))
        kind = ["journal_article", "book_chapter", "website", "guideline", "book"][i % 5]
        row = dict.fromkeys(f"{CITATION_FIELDS} doi pmid url updated".split(), "")
        row.update(kind=kind, accessed=None, year=year)
        if kind == "journal_article":
            row.update(
                authors=authors,
                title=f"Outcomes of {topic}: sample study {i}",
                container_title=rng.choice(JOURNALS),
                volume=str(rng.randint(1, 90)),
                issue=str(rng.randint(1, 12)),
                pages=f"{rng.randint(1, 400)}-{rng.randint(401, 900)}",
                pmid=str(30000000 + i),
            )
        elif kind == "book_chapter":
            place, publisher = rng.choice(PUBLISHERS)
            row.update(
                authors=authors,
                title=f"Management of {topic} ({i})",
                editors=f"{rng.choice(LAST_NAMES)} K, {rng.choice(LAST_NAMES)} M",
                container_title=rng.choice(BOOKS),
                edition=f"{rng.randint(2, 12)}th",
                place=place,
                publisher=publisher,
                chapter=str(rng.randint(1, 120)),
            )
        elif kind == "website":
            row.update(
                title=f"Facts about {topic} ({i})",
                container_title="Example Health Agency",
                url=f"https://www.example.org/health/{i}",
                updated=f"March {rng.randint(1, 28)}, {year}",
                accessed=datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                year="",
            )
        else:
            place, publisher = rng.choice(PUBLISHERS)
            row.update(place=place, publisher=publisher)
            if kind == "guideline":
                row.update(title=f"Guideline on {topic} ({i})")
            else:
                row.update(
                    authors=authors, title=f"A guide to {topic} ({i})", edition=f"{rng.randint(2, 6)}th"
                )
        rows.append(row)
    return rows
