"""Spanish editions of some sample articles, for ``load_demo``.

Written for this project as demonstration material, like ``demo_content``: not medical advice,
and each summary says it is sample content. Each edition uses its English article's standard
headings (printed in Spanish) and is reviewed by a Spanish-qualified sample reviewer. After the
editions go live, the English "Common cold" gets a minor correction, so the demo has one
translation out of date.
"""

from __future__ import annotations

from dataclasses import dataclass

from editorial.demo_content import COMMON_COLD, HICCUPS, SectionData
from editorial.demo_library import NOSEBLEED

SAMPLE_NOTE_ES = "Contenido de muestra para demostración; no es consejo médico."

# The sample translator and the Spanish-qualified reviewer (no login: the demo reviewer login
# reviews both editions, see load_demo).
TRANSLATOR = "Example Translation Services (sample)"
SPANISH_REVIEWER = "Lucía Márquez Olmedo"
SPANISH_REVIEWER_FIELDS = {
    "credentials": "MD",
    "title": "Associate Professor of Family Medicine",
    "department": "Department of Family Medicine",
    "institution": "Example University School of Medicine",
    "city": "Springfield",
    "state": "IL",
    "specialty": "Family medicine",
    "languages": "en,es",
}

# The English correction that leaves the Spanish "Common cold" out of date.
OUT_OF_DATE = COMMON_COLD
CORRECTION_SENTENCE = "Washing your hands often helps keep a cold from spreading to others."
CORRECTION_REASON = "Sample correction: one sentence on hand washing added to Causes."


@dataclass(frozen=True)
class EditionData:
    public_id: str  # the English article's id
    title: str
    summary: str
    sections: tuple[SectionData, ...]  # the English standard heading names, in the English order
    alternative_names: tuple[str, ...]


def _summary(text: str) -> str:
    return f"*{SAMPLE_NOTE_ES}*\n\n{text}"


EDITIONS: tuple[EditionData, ...] = (
    EditionData(
        public_id=HICCUPS,
        title="Hipo",
        summary=_summary(
            "El hipo es una contracción repentina e involuntaria del diafragma, el músculo que está "
            "debajo de los pulmones. Un momento después las cuerdas vocales se cierran y se oye el "
            "sonido conocido. No es una enfermedad: es un reflejo que casi siempre se detiene solo."
        ),
        sections=(
            SectionData(
                "Considerations",
                "La mayoría de los episodios de hipo duran unos minutos y no necesitan tratamiento.\n\n"
                "El hipo que dura más de dos días se llama hipo persistente. Es poco común y conviene "
                "comentarlo con un proveedor de atención médica.",
            ),
            SectionData(
                "Causes",
                "Cualquier cosa que estire el estómago o irrite los nervios del diafragma puede "
                "provocarlo:\n\n"
                "- Comer mucho y rápido\n"
                "- Bebidas con gas o tragar aire\n"
                "- Un cambio brusco de temperatura\n"
                "- Emoción, risa o estrés",
            ),
            SectionData(
                "Home Care",
                "Ningún truco sirve para todos, pero a muchas personas les ayuda:\n\n"
                "- Beber despacio un vaso de agua fría.\n"
                "- Contener la respiración un momento y luego soltar el aire suavemente.\n"
                "- Respirar despacio dentro de las manos ahuecadas durante un minuto.",
            ),
            SectionData(
                "When to Contact a Medical Professional",
                "Comuníquese con su proveedor si:\n\n"
                "- El hipo dura más de 48 horas.\n"
                "- El hipo le impide comer, beber o dormir.\n"
                "- También tiene dolor de barriga o de pecho, vómitos o dificultad para respirar.",
            ),
        ),
        alternative_names=("Singulto",),
    ),
    EditionData(
        public_id=COMMON_COLD,
        title="Resfriado común",
        summary=_summary(
            "El resfriado común es una infección leve de la nariz y la garganta causada por un virus. "
            "Los adultos se resfrían unas cuantas veces al año y los niños, más. Un resfriado suele "
            "mejorar solo en una semana a diez días."
        ),
        sections=(
            SectionData(
                "Causes",
                "Muchos virus distintos causan resfriados. Se transmiten por las gotitas de la tos y "
                "los estornudos, y por las manos que tocan una superficie y luego los ojos, la nariz "
                "o la boca.",
            ),
            SectionData(
                "Symptoms",
                "Los síntomas suelen empezar de uno a tres días después del contacto con el virus:\n\n"
                "- Nariz que gotea o congestionada y estornudos\n"
                "- Garganta irritada o dolorida\n"
                "- Tos leve\n"
                "- Cansancio, y en algunas personas fiebre baja",
            ),
            SectionData(
                "Exams and Tests",
                "Por lo general, el proveedor reconoce un resfriado por los síntomas. Rara vez se "
                "necesitan pruebas.",
            ),
            SectionData(
                "Treatment",
                "Los antibióticos no actúan contra los virus del resfriado. Los cuidados en casa "
                "alivian los síntomas mientras el cuerpo elimina la infección:\n\n"
                "- Descanse y beba muchos líquidos.\n"
                "- Use gotas nasales de solución salina o un humidificador.\n"
                "- Pregunte en la farmacia qué medicamentos sin receta le convienen y siga la etiqueta.",
            ),
            SectionData(
                "Outlook (Prognosis)",
                "La mayoría de las personas se sienten mejor en una semana, aunque la tos puede durar "
                "un poco más. Comuníquese con su proveedor si los síntomas empeoran después de los "
                "primeros días, o si tiene fiebre alta o dificultad para respirar.",
            ),
        ),
        alternative_names=("Resfriado", "Catarro"),
    ),
    EditionData(
        public_id=NOSEBLEED,
        title="Sangrado nasal",
        summary=_summary(
            "El sangrado nasal es una hemorragia del revestimiento de la nariz. La mayoría no son "
            "graves y se detienen con primeros auxilios sencillos."
        ),
        sections=(
            SectionData(
                "Causes",
                "El aire seco, hurgarse la nariz y un resfriado son causas frecuentes.",
            ),
            SectionData(
                "Home Care",
                "Siéntese e inclínese hacia adelante. Apriete con firmeza la parte blanda de la nariz "
                "durante 10 minutos sin soltar, respirando por la boca.",
            ),
            SectionData(
                "When to Contact a Medical Professional",
                "Busque ayuda si el sangrado no se detiene después de 20 minutos o si ocurre tras un "
                "golpe en la cabeza.",
            ),
        ),
        alternative_names=("Epistaxis",),
    ),
)
