"""The print font Plan Sans SC: the built files, their determinism, and PDFs that use it.

The tests read the faces `make setup` built into PRINT_FONT_DIR (`make test` runs set-up
first) rather than building them again: a full build takes about half a minute.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess

import pytest
from customer_plans.render import fonts
from customer_plans.render.pdf import PrintSection, render_section_pdfs
from fontTools.ttLib import TTFont
from markupsafe import Markup

RARE_NAME = "王喆李堃"  # 喆 and 堃 are not in GB2312: the subset lacks them


@pytest.fixture(scope="module")
def built_faces() -> dict[str, TTFont]:
    """The faces in PRINT_FONT_DIR, by style; fails saying how to build them when missing."""
    missing = [f.file_name for f in fonts.PRINT_FACES
               if not (fonts.PRINT_FONT_DIR / f.file_name).is_file()]
    if missing:
        pytest.fail(
            f"the print font is not built: {', '.join(missing)} missing in "
            f"{fonts.PRINT_FONT_DIR}; run `make setup` "
            "(or `.venv/bin/python -m customer_plans.render.fonts`)"
        )
    return {face.style: TTFont(fonts.PRINT_FONT_DIR / face.file_name)
            for face in fonts.PRINT_FACES}


def family_names(font: TTFont) -> set[str]:
    return {record.toUnicode() for record in font["name"].names if record.nameID in (1, 16)}


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_gb2312_is_the_whole_character_set():
    assert len(fonts.gb2312_codepoints()) == 7445
    assert {ord("中"), ord("鳌"), ord("、")} <= fonts.gb2312_codepoints()
    assert not {ord(char) for char in RARE_NAME[1::2]} & fonts.print_codepoints()


@pytest.mark.parametrize("style, weight", [("Regular", 400), ("Bold", 700)])
def test_built_faces_are_truetype_plan_sans_sc_with_every_gb2312_character(
    built_faces, style, weight
):
    font = built_faces[style]
    assert font.sfntVersion == "\x00\x01\x00\x00"
    assert "glyf" in font and "CFF " not in font and "VORG" not in font
    assert family_names(font) == {"Plan Sans SC"}
    assert font["name"].getDebugName(6) == f"PlanSansSC-{style}"
    assert font["OS/2"].usWeightClass == weight
    assert {"GSUB", "GPOS"} <= set(font.keys())  # shaping and kerning kept
    assert not {"vhea", "vmtx"} & set(font.keys())  # horizontal text only: no vertical metrics
    cmap = font.getBestCmap()
    ascii_codes = set(range(0x20, 0x7F))
    assert not (fonts.gb2312_codepoints() | ascii_codes) - cmap.keys()


def test_regular_and_bold_are_distinct_outlines(built_faces):
    regular, bold = built_faces["Regular"], built_faces["Bold"]
    glyph = regular.getBestCmap()[ord("中")]
    bold_glyph = bold.getBestCmap()[ord("中")]
    regular["glyf"][glyph].expand(regular["glyf"])
    bold["glyf"][bold_glyph].expand(bold["glyf"])
    assert regular["glyf"][glyph].coordinates != bold["glyf"][bold_glyph].coordinates


@pytest.mark.parametrize("style", ["Regular", "Bold"])
def test_spark_bars_are_narrow_and_rise_by_equal_steps(built_faces, style):
    """The paper sparkline's characters: 14 weeks fit in about 4.5 ems, not 14."""
    font = built_faces[style]
    cmap = font.getBestCmap()
    names = [cmap[ord(char)] for char in fonts.SPARK_BARS]
    assert {font["hmtx"][name][0] for name in names} == {fonts.SPARK_ADVANCE}
    tops = [font["glyf"][name].yMax for name in names]
    assert tops == sorted(tops) and len(set(tops)) == len(tops) == 8
    assert tops[-1] < font["OS/2"].sCapHeight + 100  # about the height of a capital
    assert {font["glyf"][name].xMax - font["glyf"][name].xMin for name in names} == {
        fonts.SPARK_BAR_WIDTH}


def test_the_built_faces_are_up_to_date_with_the_system_font(built_faces):
    assert fonts.print_fonts_up_to_date(), (
        f"the print font in {fonts.PRINT_FONT_DIR} was built from another system font or "
        "builder: run `make setup`"
    )
    assert fonts.build_print_fonts() == []  # nothing to rebuild


def test_a_missing_face_or_a_changed_stamp_means_rebuild(tmp_path):
    stamp = tmp_path / fonts.STAMP_NAME
    stamp.write_text(json.dumps(fonts._expected_stamp(fonts._sources())))
    for face in fonts.PRINT_FACES:
        (tmp_path / face.file_name).write_bytes(b"")
    assert fonts.print_fonts_up_to_date(tmp_path)
    (tmp_path / "PlanSansSC-Bold.ttf").unlink()
    assert not fonts.print_fonts_up_to_date(tmp_path)
    (tmp_path / "PlanSansSC-Bold.ttf").write_bytes(b"")
    stamp.write_text(stamp.read_text().replace('"build_version": ', '"build_version": 1000'))
    assert not fonts.print_fonts_up_to_date(tmp_path)


def test_building_a_face_twice_gives_the_same_bytes():
    face = fonts.PRINT_FACES[1]
    source = fonts.find_source_face(face)
    codepoints = {ord(char) for char in "客户经理今日计划 Plan 123，。"}
    first = fonts.build_face(source, face, codepoints)
    assert fonts.build_face(source, face, codepoints) == first
    font = TTFont(io.BytesIO(first))
    assert "glyf" in font and family_names(font) == {"Plan Sans SC"}
    assert codepoints <= font.getBestCmap().keys()


def test_without_noto_sans_cjk_sc_the_build_says_what_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(fonts, "SOURCE_FAMILY", "No Such Family For Tests")
    with pytest.raises(fonts.PrintFontError, match="fonts-noto-cjk"):
        fonts.build_print_fonts(tmp_path)
    assert fonts.main(["--out", str(tmp_path)]) == 1
    assert "install fonts-noto-cjk" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_css_declares_both_faces_relative_to_the_templates(built_faces):
    css = fonts.print_font_css()
    assert css.count("@font-face") == 2
    assert 'font-family: "Plan Sans SC"' in css
    assert "font-weight: 400; src: url(fonts/PlanSansSC-Regular.ttf)" in css
    assert "font-weight: 700; src: url(fonts/PlanSansSC-Bold.ttf)" in css


def test_css_is_empty_and_warns_once_without_the_built_font(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(fonts, "PRINT_FONT_DIR", tmp_path)
    fonts._warn_missing_print_fonts.cache_clear()
    with caplog.at_level(logging.WARNING, logger=fonts.__name__):
        assert fonts.print_font_css() == ""
        assert fonts.print_font_css() == ""
    warnings = [r.getMessage() for r in caplog.records if r.name == fonts.__name__]
    assert len(warnings) == 1
    assert "slower" in warnings[0] and "make setup" in warnings[0]


def test_a_pdf_embeds_plan_sans_sc_and_prints_rare_names_with_the_system_font(
    built_faces, tmp_path
):
    body = Markup(
        '<div style=\'font-family: "Plan Sans SC", "Noto Sans CJK SC"\'>'
        f"<p>客户 {RARE_NAME} 今日联系，存款 ¥1,200 到期。</p>"
        f"<p><b>重点客户 {RARE_NAME}</b></p></div>"
    )
    (pdf,) = render_section_pdfs([PrintSection("M001", body, "zh", "plan")])
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    embedded = run("pdffonts", str(path))
    assert "Plan-Sans-SC " in embedded and "Plan-Sans-SC-Bold " in embedded
    assert "Noto-Sans-CJK-SC" in embedded  # the fallback for 喆 and 堃
    text = run("pdftotext", str(path), "-")
    assert f"客户 {RARE_NAME} 今日联系，存款 ¥1,200 到期。" in text
    assert f"重点客户 {RARE_NAME}" in text


SHAPING_SAMPLE = {
    # digits (the source's locl swaps them for zh-CN and en), Latin, CJK and Latin
    # punctuation, characters with Japanese and Traditional forms (骨, 直, 角), the spark bars
    "zh-CN": "客户 骨直角 2026年11月21日 资产 ¥1,234,567.89 “提醒”（90天下降37%）—— ▁▃▅█ 12.5万",
    "en": "Plan for Sat, 21 Nov 2026 · AUM ¥1,234,567.89 “Call” 0123456789 office fl 骨直角",
}


def _drawn_glyphs(pdf: bytes, font_path) -> list[object]:
    """What a PDF of one font draws: text matrices, and per TJ the glyphs (outline, advance)
    and the position adjustments between them."""
    import re
    import zlib

    font = TTFont(font_path)
    glyf, hmtx, order = font["glyf"], font["hmtx"], font.getGlyphOrder()
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            continue
    drawn: list[object] = []
    for stream in streams:
        for match in re.finditer(rb"([-\d. ]+) Tm|\[(.*?)\] TJ", stream, re.S):
            if match.group(1):
                drawn.append(match.group(1))
                continue
            for hexes, adjust in re.findall(rb"<([0-9a-f]*)>([-\d.]*)", match.group(2)):
                for start in range(0, len(hexes), 4):
                    name = order[int(hexes[start:start + 4], 16)]
                    drawn.append((glyf[name].compile(glyf), hmtx[name]))
                drawn.append(adjust)
    return drawn


def test_the_print_font_shapes_plans_as_the_source_features_would(tmp_path):
    """Leaving out the features and language systems plans never use changes no glyph: text in
    zh-CN and en prints the same outlines at the same places as with every feature kept."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    face = fonts.PRINT_FACES[0]
    source = fonts.find_source_face(face)
    codepoints = {ord(char) for text in SHAPING_SAMPLE.values() for char in text}
    paragraphs = "".join(f'<p lang="{lang}">{text}</p>' for lang, text in SHAPING_SAMPLE.items())
    drawn = {}
    for every_feature in (False, True):
        path = tmp_path / f"face-{every_feature}.ttf"
        path.write_bytes(fonts.build_face(source, face, codepoints, every_feature=every_feature))
        font_config = FontConfiguration()
        css = weasyprint.CSS(
            string=f'@font-face {{ font-family: "Shaping Test"; src: url({path.as_uri()}) }}'
            'body { font-family: "Shaping Test"; font-size: 10pt }',
            font_config=font_config,
        )
        pdf = weasyprint.HTML(string=f"<html><body>{paragraphs}</body></html>").write_pdf(
            stylesheets=[css], font_config=font_config
        )
        (tmp_path / "sample.pdf").write_bytes(pdf)
        embedded = run("pdffonts", str(tmp_path / "sample.pdf")).splitlines()[2:]
        assert [line.split()[0].split("+")[1] for line in embedded] == ["Shaping-Test"]
        drawn[every_feature] = _drawn_glyphs(pdf, path)
    glyphs = [item for item in drawn[True] if isinstance(item, tuple)]
    assert len(glyphs) >= sum(len(text.replace(" ", "")) for text in SHAPING_SAMPLE.values())
    assert drawn[False] == drawn[True]


def test_the_print_font_leaves_out_other_locales_and_vertical_forms(built_faces):
    """A face of one glyph per character, about: 7,916 glyphs where every feature kept 14,356
    (Japanese, Korean and Traditional forms, vertical and width variants, alternates)."""
    for font in built_faces.values():
        assert font["maxp"].numGlyphs < len(font.getBestCmap()) + 100
        table = font["GSUB"].table
        systems = {system.LangSysTag for record in table.ScriptList.ScriptRecord
                   for system in record.Script.LangSysRecord}
        assert not systems & fonts.OTHER_LANGUAGE_SYSTEMS
        features = {record.FeatureTag for record in table.FeatureList.FeatureRecord}
        assert "locl" in features and not features & {"vert", "vrt2", "aalt", "fwid"}
