"""Sample illustrations for the demo articles, drawn with Pillow when ``load_demo`` runs.

Nothing is downloaded: each picture is a few plain shapes in two colours, labelled as a sample.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from editorial.demo_content import SampleImage

SIZE = (960, 600)


def draw(data: SampleImage) -> bytes:
    """The PNG of ``data``: its shape in its accent colour on its background."""
    image = Image.new("RGB", SIZE, data.background)
    pen = ImageDraw.Draw(image)
    width, height = SIZE
    if data.shape == "joint":
        pen.line([(220, 120), (480, 330), (260, 520)], fill=data.accent, width=70, joint="curve")
        pen.ellipse([420, 270, 540, 390], outline=data.accent, width=14)
        pen.rounded_rectangle([520, 250, 700, 410], radius=30, fill="#9fd0f5")
    elif data.shape == "bone":
        for left, hollow in ((200, False), (560, True)):
            pen.rounded_rectangle([left + 50, 140, left + 150, 460], radius=40, fill=data.accent)
            for y in (120, 480):
                pen.ellipse([left + 10, y - 50, left + 110, y + 50], fill=data.accent)
                pen.ellipse([left + 90, y - 50, left + 190, y + 50], fill=data.accent)
            if hollow:
                for y in range(170, 440, 34):
                    pen.ellipse([left + 75, y, left + 125, y + 22], fill=data.background)
    elif data.shape == "sun":
        pen.ellipse([90, 70, 270, 250], fill="#f5b62a")
        for x in range(300, 520, 60):
            pen.line([(x, 160), (x + 40, 200)], fill="#f5b62a", width=10)
        pen.pieslice([380, 260, 900, 760], 180, 360, fill=data.accent)
    else:  # chest
        pen.line([(width // 2, 90), (width // 2, 520)], fill=data.accent, width=22)
        for row in range(6):
            y = 140 + row * 60
            pen.arc([220, y, width // 2, y + 120], 180, 300, fill=data.accent, width=14)
            pen.arc([width // 2, y, width - 220, y + 120], 240, 360, fill=data.accent, width=14)
    pen.rectangle([0, height - 56, width, height], fill="#ffffff")
    pen.text((20, height - 42), "Sample illustration for demonstration", fill="#333333", font_size=28)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
