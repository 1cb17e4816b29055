"""More sample articles for ``load_demo``: one or more for every letter A–Z and every article type.

Written for this project as demonstration material, like ``demo_content``: not medical advice.
Each summary says it is sample content. Articles link to each other (``article:NNNNNN``), some
carry an illustration drawn at load time, and their review dates are spread so that the
dashboard has overdue, due-soon and current articles.
"""

from __future__ import annotations

from editorial.demo_content import (
    BLOOD_GLUCOSE_TEST,
    CITATION_ACCESSED,
    COMMON_COLD,
    ICD9CM,
    ICD10CM,
    SAMPLE_NOTE,
    SNOMEDCT,
    ArticleData,
    ReviewerData,
    SampleImage,
    SectionData,
)
from editorial.importer.parser import CitationData

APPENDECTOMY = "900004"
DEHYDRATION = "900005"
EARACHE = "900006"
FEVER = "900007"
GALLBLADDER_REMOVAL = "900008"
INSECT_BITES = "900009"
JET_LAG = "900010"
KNEE_SPRAIN = "900011"
LIPID_PANEL = "900012"
MIGRAINE = "900013"
NOSEBLEED = "900014"
OSTEOPOROSIS = "900015"
PREPARING_FOR_SURGERY = "900016"
QUITTING_SMOKING = "900017"
READING_FOOD_LABELS = "900018"
SUNBURN = "900019"
TONSILLECTOMY = "900020"
URINALYSIS = "900021"
VITAMIN_D = "900022"
WRIST_FRACTURE = "900023"
X_RAY = "900024"
YEARLY_CHECKUP = "900025"
ZINC = "900026"
GOUT = "900027"
DESK_POSTURE = "900028"

SURGEON = "Teodora Lindgren-Obi"

REVIEWERS: tuple[ReviewerData, ...] = (
    ReviewerData(
        name=SURGEON,
        credentials="MD, FACS",
        title="Assistant Professor of Surgery",
        department="Department of Surgery",
        institution="Example University School of Medicine",
        city="Springfield",
        state="IL",
        specialty="General surgery",
    ),
)

GUIDE = "Everyday Symptoms: A Practical Guide for Primary Care"
FIRST_AID = "Example Guide to First Aid at Home"
SURGERY_BOOK = "What to Expect from Common Operations"
NUTRITION_SITE = "Eating well, one label at a time"

CITATIONS: tuple[CitationData, ...] = (
    CitationData(
        kind="book",
        authors="Baptiste R, Nakamura T",
        title=FIRST_AID,
        edition="4th",
        place="Springfield, IL",
        publisher="Example Medical Press",
        year="2024",
    ),
    CitationData(
        kind="book_chapter",
        authors="Lindgren-Obi T",
        title=SURGERY_BOOK,
        editors="Hartman M",
        container_title="Example Textbook of General Medicine",
        edition="3rd",
        place="Springfield, IL",
        publisher="Example Medical Press",
        year="2024",
        chapter="31",
    ),
    CitationData(
        kind="website",
        title=NUTRITION_SITE,
        container_title="Example Health Library",
        url="https://www.example.org/health-library/food-labels",
        updated="January 20, 2026",
        accessed=CITATION_ACCESSED,
    ),
)


def _summary(text: str) -> str:
    return f"*{SAMPLE_NOTE}*\n\n{text}"


CALL = "When to Contact a Medical Professional"

ARTICLES: tuple[ArticleData, ...] = (
    ArticleData(
        public_id=APPENDECTOMY,
        title="Appendectomy",
        article_type="surgery",
        reviewer=SURGEON,
        summary=_summary(
            "An appendectomy is an operation to take out the appendix, a small pouch attached to the "
            "large intestine. It is the usual treatment when the appendix is inflamed."
        ),
        sections=(
            SectionData(
                "Description",
                "Most appendectomies are done through a few small cuts in the belly, using a thin camera. "
                "Sometimes the surgeon makes one larger cut instead. You are asleep and pain-free.",
            ),
            SectionData(
                "Before the Procedure",
                f"Read [preparing for surgery](article:{PREPARING_FOR_SURGERY}) for what to bring and "
                "when to stop eating. Tell the team about every medicine you take.",
            ),
            SectionData(
                "After the Procedure",
                "Many people go home within a day. Walking soon after the operation helps you recover.\n\n"
                "- Keep the wounds clean and dry.\n- Avoid heavy lifting for a few weeks.",
            ),
        ),
        alternative_names=("Appendix removal",),
        citations=(SURGERY_BOOK,),
        due_in_days=540,
        related=(GALLBLADDER_REMOVAL, PREPARING_FOR_SURGERY),
    ),
    ArticleData(
        public_id=DEHYDRATION,
        title="Dehydration",
        article_type="disease",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "Dehydration means the body has lost more water than it has taken in. Mild dehydration is "
            f"common with a [fever](article:{FEVER}), hot weather or a stomach bug."
        ),
        sections=(
            SectionData(
                "Symptoms",
                "- Thirst and a dry mouth\n- Dark yellow urine, or passing little urine\n"
                "- Feeling tired, dizzy or light-headed",
            ),
            SectionData(
                "Treatment",
                "Sip water or an oral rehydration drink often, in small amounts. Babies, older adults "
                "and people with long-term illnesses can become dehydrated quickly and may need care sooner.",
            ),
            SectionData(
                CALL,
                "Get help at once if someone is confused, very drowsy, or cannot keep any fluids down.",
            ),
        ),
        alternative_names=("Fluid loss",),
        citations=(GUIDE,),
        due_in_days=-2,
        related=(FEVER, SUNBURN),
    ),
    ArticleData(
        public_id=EARACHE,
        title="Earache",
        article_type="symptom",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "An earache is pain in or around the ear. It often comes with a "
            f"[common cold](article:{COMMON_COLD}) and usually gets better in a few days."
        ),
        sections=(
            SectionData(
                "Causes",
                "- A build-up of fluid behind the eardrum during a cold\n- Water left in the ear canal\n"
                "- Pain that spreads from the jaw or teeth",
            ),
            SectionData(
                "Home Care",
                "A warm cloth held against the ear can ease the pain. Do not put anything inside the ear.",
            ),
            SectionData(
                CALL,
                "Contact your provider if the pain is severe, there is fluid coming from the ear, or a "
                f"[fever](article:{FEVER}) lasts more than two days.",
            ),
        ),
        alternative_names=("Ear pain", "Otalgia"),
        citations=(GUIDE,),
        due_in_days=300,
        related=(COMMON_COLD, FEVER),
        step="changes_requested",
    ),
    ArticleData(
        public_id=FEVER,
        title="Fever",
        article_type="symptom",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "A fever is a body temperature higher than usual. It is one of the ways the body fights an "
            "infection, and on its own it is rarely harmful in adults."
        ),
        sections=(
            SectionData(
                "Considerations",
                "Body temperature changes during the day. Most providers call a reading of 100.4°F "
                "(38°C) or higher a fever.",
            ),
            SectionData(
                "Home Care",
                f"Rest and drink plenty of fluids to avoid [dehydration](article:{DEHYDRATION}). Light "
                "clothing helps. Ask a pharmacist which fever medicine suits you.",
            ),
            SectionData(
                CALL,
                "Call your provider for a fever in a baby under 3 months, a fever above 104°F (40°C), "
                "or a fever with a stiff neck, a rash or trouble breathing.",
            ),
        ),
        alternative_names=("High temperature", "Pyrexia"),
        citations=(GUIDE,),
        due_in_days=420,
        related=(DEHYDRATION, COMMON_COLD),
        step="in_review",
    ),
    ArticleData(
        public_id=GALLBLADDER_REMOVAL,
        title="Gallbladder removal",
        article_type="surgery",
        reviewer=SURGEON,
        summary=_summary(
            "Gallbladder removal is an operation to take out the gallbladder, a small organ under the "
            "liver that stores bile. It is often done when gallstones keep causing pain."
        ),
        sections=(
            SectionData(
                "Why the Procedure is Performed",
                "Gallstones can block the flow of bile and cause sudden pain in the upper right belly, "
                "often after a fatty meal. Removing the gallbladder stops these attacks.",
            ),
            SectionData(
                "After the Procedure",
                "You can live a normal life without a gallbladder. Some people find large, fatty meals "
                f"harder to digest for a while; [reading food labels](article:{READING_FOOD_LABELS}) helps.",
            ),
        ),
        alternative_names=("Cholecystectomy",),
        citations=(SURGERY_BOOK,),
        due_in_days=610,
        related=(APPENDECTOMY,),
    ),
    ArticleData(
        public_id=INSECT_BITES,
        title="Insect bites and stings",
        article_type="injury",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "Most insect bites and stings cause a small, itchy or painful bump that fades within a day "
            "or two. A few people have a severe allergic reaction, which is an emergency."
        ),
        sections=(
            SectionData(
                "First Aid",
                "- Scrape a stinger out sideways with a fingernail or card.\n- Wash the area with soap "
                "and water.\n- Hold a cold pack on it for 10 minutes.",
            ),
            SectionData(
                "Do Not",
                "Do not scratch the bite: broken skin can become infected.",
            ),
            SectionData(
                CALL,
                "Call emergency services if the person has trouble breathing, swelling of the lips or "
                "throat, or feels faint after a sting.",
            ),
        ),
        alternative_names=("Bee sting", "Bug bite"),
        citations=(FIRST_AID,),
        due_in_days=700,
        related=(SUNBURN,),
    ),
    ArticleData(
        public_id=JET_LAG,
        title="Jet lag",
        article_type="self_care",
        reviewer="",
        queue="Internal medicine",
        summary=_summary(
            "Jet lag is the tiredness and poor sleep that can follow a flight across several time "
            "zones, while the body clock catches up with the local time."
        ),
        sections=(
            SectionData(
                "What to Expect at Home",
                "Most people adjust by about one day for each time zone crossed. Flying east is often "
                "harder than flying west.",
            ),
            SectionData(
                "Self-care",
                "- Spend time in daylight at your destination.\n- Keep naps short.\n"
                "- Drink water on the flight and go easy on alcohol and caffeine.",
            ),
        ),
        alternative_names=("Time zone change syndrome",),
        citations=(GUIDE,),
        due_in_days=-9,
        related=(YEARLY_CHECKUP,),
    ),
    ArticleData(
        public_id=KNEE_SPRAIN,
        title="Knee sprain",
        article_type="injury",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "A knee sprain is a stretch or tear of one of the bands of tissue (ligaments) that hold the "
            "knee joint together. It often happens with a twist during sport."
        ),
        sections=(
            SectionData(
                "Symptoms",
                "- Pain and swelling around the knee\n- Stiffness, or a feeling that the knee may give way",
            ),
            SectionData(
                "First Aid",
                "Rest the leg, put a cold pack on the knee for 15 minutes a few times a day, and raise "
                "it on a pillow. A snug bandage can limit swelling.",
            ),
            SectionData(
                CALL,
                "See a provider if you cannot put weight on the leg, the knee looks misshapen, or it "
                f"locks. An [x-ray](article:{X_RAY}) may be needed to check the bone.",
            ),
        ),
        alternative_names=("Sprained knee",),
        citations=(FIRST_AID,),
        due_in_days=-5,
        related=(WRIST_FRACTURE, X_RAY),
        image=SampleImage(
            alt="Drawing of a leg bent at the knee, with a cold pack held on the joint",
            caption="Sample illustration: a cold pack on a sprained knee.",
            background="#dbe9f6",
            accent="#2e6da4",
            shape="joint",
        ),
    ),
    ArticleData(
        public_id=LIPID_PANEL,
        title="Lipid panel",
        article_type="test",
        reviewer="Marcus T. Ellery",
        summary=_summary(
            "A lipid panel is a blood test that measures cholesterol and other fats in the blood. It "
            "helps estimate the risk of heart disease."
        ),
        sections=(
            SectionData(
                "How the Test is Performed",
                f"Blood is taken from a vein, as for a [blood glucose test](article:{BLOOD_GLUCOSE_TEST}).",
            ),
            SectionData(
                "How to Prepare for the Test",
                "Your provider will say whether you need to fast. Some labs ask for 9 to 12 hours "
                "without food beforehand.",
            ),
            SectionData(
                "What Abnormal Results Mean",
                "High levels can often be lowered by changes in diet and activity, and sometimes with "
                "medicine. Your provider looks at the results together with your other risks.",
            ),
        ),
        alternative_names=("Cholesterol test", "Lipid profile"),
        citations=("Measuring glucose in blood and plasma",),
        due_in_days=380,
        related=(BLOOD_GLUCOSE_TEST, YEARLY_CHECKUP),
        step="scheduled",
    ),
    ArticleData(
        public_id=MIGRAINE,
        title="Migraine",
        codes=(
            (ICD10CM, "G43.909", "Migraine, unspecified, not intractable, without status migrainosus"),
            (ICD9CM, "346.90", "Migraine, unspecified"),
            (SNOMEDCT, "37796009", "Migraine"),
        ),
        article_type="disease",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "A migraine is a headache that often throbs on one side of the head and can come with "
            "nausea and a dislike of light or sound. Attacks can last hours to days."
        ),
        sections=(
            SectionData(
                "Causes",
                "The exact cause is not fully understood. Common triggers include missed meals, poor "
                "sleep, stress and, for some people, certain foods or bright lights.",
            ),
            SectionData(
                "Treatment",
                "Resting in a quiet, dark room helps many people. A provider can suggest medicines to "
                "take early in an attack, and others to make attacks less frequent.",
            ),
            SectionData(
                CALL,
                "Get help at once for the worst headache of your life, or a headache with weakness, "
                f"confusion or a [fever](article:{FEVER}) and stiff neck.",
            ),
        ),
        alternative_names=("Migraine headache",),
        citations=(GUIDE,),
        due_in_days=250,
        related=(FEVER,),
        step="draft",
    ),
    ArticleData(
        public_id=NOSEBLEED,
        title="Nosebleed",
        article_type="symptom",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "A nosebleed is bleeding from the lining of the nose. Most nosebleeds are not serious and "
            "stop with simple first aid."
        ),
        sections=(
            SectionData(
                "Causes",
                f"Dry air, picking the nose and a [common cold](article:{COMMON_COLD}) are frequent causes.",
            ),
            SectionData(
                "Home Care",
                "Sit up and lean forward. Pinch the soft part of the nose firmly for 10 minutes without "
                "letting go, breathing through your mouth.",
            ),
            SectionData(
                CALL,
                "Get help if the bleeding does not stop after 20 minutes, or follows a blow to the head.",
            ),
        ),
        alternative_names=("Epistaxis",),
        citations=(FIRST_AID,),
        due_in_days=25,
    ),
    ArticleData(
        public_id=OSTEOPOROSIS,
        title="Osteoporosis",
        article_type="disease",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "Osteoporosis is a condition in which bones become thin and weak, so they break more easily. "
            f"A [wrist fracture](article:{WRIST_FRACTURE}) after a minor fall can be the first sign."
        ),
        sections=(
            SectionData(
                "Exams and Tests",
                f"A bone density scan, a kind of low-dose [x-ray](article:{X_RAY}), measures how strong "
                "the bones are.",
            ),
            SectionData(
                "Prevention",
                f"Weight-bearing exercise, not smoking (see [quitting smoking](article:{QUITTING_SMOKING})) "
                f"and enough calcium and [vitamin D](article:{VITAMIN_D}) help keep bones strong.",
            ),
        ),
        alternative_names=("Thin bones",),
        citations=(GUIDE,),
        due_in_days=-60,
        related=(VITAMIN_D, WRIST_FRACTURE),
        image=SampleImage(
            alt="Drawing of two bones side by side, one dense and one with a thin, porous inside",
            caption="Sample illustration: healthy bone beside thinned bone.",
            background="#f3ede2",
            accent="#8a6d3b",
            shape="bone",
        ),
    ),
    ArticleData(
        public_id=PREPARING_FOR_SURGERY,
        title="Preparing for surgery",
        article_type="special_topic",
        reviewer=SURGEON,
        summary=_summary(
            "A little preparation makes the day of an operation go more smoothly and can help you "
            "recover sooner."
        ),
        sections=(
            SectionData(
                "Information",
                "- Ask when to stop eating and drinking.\n- Bring a list of your medicines.\n"
                "- Arrange a ride home and help for the first day.",
            ),
            SectionData(
                "Considerations",
                f"If you smoke, stopping even a few weeks before surgery helps healing; see "
                f"[quitting smoking](article:{QUITTING_SMOKING}).",
            ),
        ),
        alternative_names=("Before an operation",),
        citations=(SURGERY_BOOK,),
        due_in_days=820,
        related=(APPENDECTOMY, TONSILLECTOMY),
    ),
    ArticleData(
        public_id=QUITTING_SMOKING,
        title="Quitting smoking",
        article_type="self_care",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "Stopping smoking is one of the best things you can do for your health at any age. Many "
            "people need several tries, and each try teaches something."
        ),
        sections=(
            SectionData(
                "What to Expect at Home",
                "Cravings and irritability are strongest in the first few weeks, then fade.",
            ),
            SectionData(
                "Self-care",
                "- Pick a quit date and tell people around you.\n- Plan what you will do instead when "
                "a craving comes.\n- Ask your provider or pharmacist about aids that can help.",
            ),
        ),
        alternative_names=("Stopping smoking", "Smoking cessation"),
        citations=(GUIDE,),
        due_in_days=900,
        related=(OSTEOPOROSIS, PREPARING_FOR_SURGERY),
    ),
    ArticleData(
        public_id=READING_FOOD_LABELS,
        title="Reading food labels",
        article_type="nutrition",
        reviewer="Marcus T. Ellery",
        summary=_summary(
            "The label on packaged food tells you what a serving contains. Knowing where to look makes "
            "it easier to compare foods."
        ),
        sections=(
            SectionData(
                "Function",
                "Labels list the serving size, calories and amounts of fat, salt, sugar and fiber, and "
                "the ingredients from most to least.",
            ),
            SectionData(
                "Recommendations",
                "Start with the serving size: all the other numbers depend on it. Compare similar "
                f"products per serving. See also [zinc in the diet](article:{ZINC}).",
            ),
        ),
        alternative_names=("Nutrition labels",),
        citations=(NUTRITION_SITE,),
        due_in_days=480,
        related=(VITAMIN_D, ZINC),
    ),
    ArticleData(
        public_id=SUNBURN,
        title="Sunburn",
        article_type="injury",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "Sunburn is reddening and soreness of the skin after too much ultraviolet light, from the "
            "sun or a sunlamp. It usually heals in a few days."
        ),
        sections=(
            SectionData(
                "First Aid",
                f"Cool the skin with a damp cloth, drink water to avoid [dehydration](article:{DEHYDRATION}) "
                "and use a gentle moisturizer.",
            ),
            SectionData(
                "Prevention",
                "- Seek shade in the middle of the day.\n- Wear a hat and clothing that covers the skin.\n"
                "- Use a broad-spectrum sunscreen and put it on again after swimming.",
            ),
        ),
        alternative_names=("Sun burn",),
        citations=(FIRST_AID,),
        due_in_days=360,
        related=(DEHYDRATION, INSECT_BITES),
        image=SampleImage(
            alt="Drawing of a sun over a shoulder with reddened skin",
            caption="Sample illustration: skin reddened by the sun.",
            background="#fdf1d6",
            accent="#c4591f",
            shape="sun",
        ),
        step="published_update",
    ),
    ArticleData(
        public_id=TONSILLECTOMY,
        title="Tonsillectomy",
        article_type="surgery",
        reviewer=SURGEON,
        summary=_summary(
            "A tonsillectomy is an operation to take out the tonsils, two pads of tissue at the back of "
            "the throat. It may be suggested after many throat infections."
        ),
        sections=(
            SectionData(
                "Risks",
                "Bleeding can happen up to two weeks after the operation. Call at once if you see fresh blood.",
            ),
            SectionData(
                "After the Procedure",
                "The throat is sore for one to two weeks. Cool, soft foods and plenty of fluids help.",
            ),
        ),
        alternative_names=("Tonsil removal",),
        citations=(SURGERY_BOOK,),
        due_in_days=12,
        related=(PREPARING_FOR_SURGERY, EARACHE),
    ),
    ArticleData(
        public_id=URINALYSIS,
        title="Urinalysis",
        article_type="test",
        reviewer="Marcus T. Ellery",
        summary=_summary(
            "A urinalysis looks at a sample of urine. It can show signs of infection, kidney problems "
            "or diabetes."
        ),
        sections=(
            SectionData(
                "How the Test is Performed",
                "You collect urine in a clean cup, usually midway through passing it. The sample is "
                "checked with a dipstick and sometimes under a microscope.",
            ),
            SectionData(
                "Why the Test is Performed",
                f"It is often part of a [yearly checkup](article:{YEARLY_CHECKUP}), and is used when "
                "someone has pain passing urine.",
            ),
        ),
        alternative_names=("Urine test",),
        citations=("Measuring glucose in blood and plasma",),
        due_in_days=45,
        related=(YEARLY_CHECKUP, BLOOD_GLUCOSE_TEST),
    ),
    ArticleData(
        public_id=VITAMIN_D,
        title="Vitamin D",
        article_type="nutrition",
        reviewer="Marcus T. Ellery",
        summary=_summary(
            "Vitamin D helps the body take up calcium, which bones need. The skin makes it in sunlight, "
            "and a few foods contain it."
        ),
        sections=(
            SectionData(
                "Function",
                f"Without enough vitamin D, bones can become soft or thin; see [osteoporosis](article:{OSTEOPOROSIS}).",
            ),
            SectionData(
                "Food Sources",
                "- Oily fish\n- Egg yolks\n- Milks and cereals with added vitamin D",
            ),
            SectionData(
                "Recommendations",
                "How much you need depends on age. Ask your provider before taking high-dose supplements.",
            ),
        ),
        alternative_names=("Cholecalciferol",),
        citations=(NUTRITION_SITE,),
        due_in_days=75,
        related=(OSTEOPOROSIS, ZINC),
    ),
    ArticleData(
        public_id=WRIST_FRACTURE,
        title="Wrist fracture",
        article_type="injury",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "A wrist fracture is a break in one of the bones of the wrist, often from falling onto an "
            "outstretched hand."
        ),
        sections=(
            SectionData(
                "Symptoms",
                "- Pain that gets worse when gripping\n- Swelling and bruising\n- A wrist that looks bent",
            ),
            SectionData(
                "First Aid",
                f"Keep the wrist still with a splint or a folded magazine, add a cold pack and get care. "
                f"An [x-ray](article:{X_RAY}) shows whether the bone is broken.",
            ),
        ),
        alternative_names=("Broken wrist",),
        citations=(FIRST_AID,),
        due_in_days=650,
        related=(KNEE_SPRAIN, OSTEOPOROSIS),
        image=SampleImage(
            alt="Drawing of a forearm and hand held still in a splint",
            caption="Sample illustration: a wrist kept still in a splint.",
            background="#e4f1e4",
            accent="#3c7a3c",
            shape="bone",
        ),
    ),
    ArticleData(
        public_id=X_RAY,
        title="X-ray",
        article_type="test",
        reviewer="",
        summary=_summary(
            "An x-ray is a quick, painless test that uses a small amount of radiation to take pictures "
            "of the inside of the body, especially the bones and chest."
        ),
        sections=(
            SectionData(
                "How the Test is Performed",
                "You stand, sit or lie still for a few seconds while the picture is taken. You may be "
                "asked to remove jewelry.",
            ),
            SectionData(
                "Risks",
                "The dose of radiation is small. Tell the staff if you are or may be pregnant.",
            ),
        ),
        alternative_names=("Radiograph", "Xray"),
        citations=(GUIDE,),
        due_in_days=880,
        related=(WRIST_FRACTURE, KNEE_SPRAIN),
        image=SampleImage(
            alt="Drawing of a chest x-ray: pale ribs on a dark background",
            caption="Sample illustration: how a chest x-ray looks.",
            background="#1d2330",
            accent="#d8e2f0",
            shape="chest",
        ),
    ),
    ArticleData(
        public_id=YEARLY_CHECKUP,
        title="Yearly checkup",
        article_type="special_topic",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "A yearly checkup is a visit to your provider when you are well, to look for problems early "
            "and keep vaccines and screening tests up to date."
        ),
        sections=(
            SectionData(
                "Information",
                f"The visit may include a blood pressure check, a [lipid panel](article:{LIPID_PANEL}) or a "
                f"[urinalysis](article:{URINALYSIS}), depending on your age and health.",
            ),
            SectionData(
                "Considerations",
                "Bring a list of your medicines and the questions you want to ask.",
            ),
        ),
        alternative_names=("Annual physical", "Wellness visit"),
        citations=(GUIDE,),
        due_in_days=560,
        related=(LIPID_PANEL, URINALYSIS),
    ),
    ArticleData(
        public_id=ZINC,
        title="Zinc in the diet",
        article_type="nutrition",
        reviewer="Marcus T. Ellery",
        summary=_summary(
            "Zinc is a mineral the body needs in small amounts for growth, healing and a working immune "
            "system."
        ),
        sections=(
            SectionData(
                "Food Sources",
                "- Meat, poultry and seafood\n- Beans, nuts and whole grains\n- Dairy foods",
            ),
            SectionData(
                "Side Effects",
                "Too much zinc from supplements can upset the stomach and, over time, lower copper levels.",
            ),
        ),
        alternative_names=("Dietary zinc",),
        citations=(NUTRITION_SITE,),
        due_in_days=760,
        related=(VITAMIN_D, READING_FOOD_LABELS),
    ),
    ArticleData(
        public_id=GOUT,
        title="Gout",
        codes=(
            (ICD10CM, "M10.9", "Gout, unspecified"),
            (SNOMEDCT, "90560007", "Gout"),
        ),
        article_type="disease",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "Gout is a kind of arthritis in which crystals form in a joint and cause sudden, severe pain, "
            "often in the big toe."
        ),
        sections=(
            SectionData(
                "Symptoms",
                "- Sudden pain, often at night\n- A red, hot, swollen joint",
            ),
            SectionData(
                "Treatment",
                f"Medicines ease an attack. Drinking enough water helps; see [dehydration](article:{DEHYDRATION}).",
            ),
        ),
        alternative_names=("Gouty arthritis",),
        citations=(GUIDE,),
        due_in_days=720,
        live=False,
        step="in_review_any",
    ),
    ArticleData(
        public_id=DESK_POSTURE,
        title="Good posture at a desk",
        article_type="self_care",
        reviewer="Dana R. Whitfield",
        summary=_summary(
            "Small changes to how you sit and set up a desk can ease neck, shoulder and back strain."
        ),
        sections=(
            SectionData(
                "Self-care",
                "- Keep the top of the screen at eye level.\n- Rest your feet flat on the floor.\n"
                "- Stand up and move every half hour.",
            ),
        ),
        alternative_names=("Desk ergonomics",),
        citations=(GUIDE,),
        due_in_days=720,
        live=False,
        step="draft",
    ),
)
