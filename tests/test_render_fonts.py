"""The print fonts: the built files, their determinism, the CSS and PDFs that use them.

The tests read the faces `make setup` built into PRINT_FONT_DIR for the shipped languages
(`make test` runs set-up first) rather than building them again: a face takes 7-20 s. One
test builds a second family (Big5, for a language added in a temporary languages file).
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess

import pytest
import yaml
from customer_plans.render import fonts
from customer_plans.render.pdf import PrintSection, render_section_pdfs
from customer_plans.settings import LANGUAGES_PATH
from customer_plans.words import words_for
from customer_plans.words.languages import load_languages, shipped_languages
from fontTools.ttLib import TTFont
from markupsafe import Markup

RARE_NAME = "王喆李堃"  # 喆 and 堃 are not in GB2312: the subset lacks them
# A language printed in a second family: Traditional Chinese forms, Big5
SECOND_LANGUAGE = {
    "babel_locale": "zh_Hant_HK",
    "html_lang": "zh-HK",
    "matches": ["zh_hk"],
    "dates": {"long": "y年M月d日 EEEE", "medium": "y年M月d日", "short": "M月d日"},
    "amounts": "myriad",
    "print_font": {"family": "Plan Sans HK", "source": "Noto Sans CJK HK", "charset": "big5"},
}
TRADITIONAL_ONLY = "戶賬萬"  # Big5 has them, GB2312 has 户账万 instead


def shipped_faces() -> list[fonts.PrintFace]:
    return [face for family in fonts.print_families() for face in family.faces]


@pytest.fixture(scope="module")
def built_faces() -> dict[fonts.PrintFace, TTFont]:
    """The faces in PRINT_FONT_DIR; fails saying how to build them when missing."""
    missing = [face.file_name for face in shipped_faces()
               if not (fonts.PRINT_FONT_DIR / face.file_name).is_file()]
    if missing:
        pytest.fail(
            f"the print font is not built: {', '.join(missing)} missing in "
            f"{fonts.PRINT_FONT_DIR}; run `make setup` "
            "(or `.venv/bin/python -m customer_plans.render.fonts`)"
        )
    return {face: TTFont(fonts.PRINT_FONT_DIR / face.file_name) for face in shipped_faces()}


def languages_file(tmp_path, edit) -> object:
    """A copy of the shipped languages file changed by ``edit(data)``, loaded."""
    data = yaml.safe_load(LANGUAGES_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "languages.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_languages(path)


def with_second_language(data) -> None:
    data["languages"]["zh_Hant_HK"] = SECOND_LANGUAGE


def family_names(font: TTFont) -> set[str]:
    return {record.toUnicode() for record in font["name"].names if record.nameID in (1, 16)}


def pdf_name(family: str) -> str:
    return family.replace(" ", "-")


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_the_character_sets_are_whole():
    assert len(fonts.charset_codepoints("gb2312")) == 7445
    assert {ord("中"), ord("鳌"), ord("、")} <= fonts.charset_codepoints("gb2312")
    assert not {ord(char) for char in RARE_NAME[1::2]} & fonts.print_codepoints("gb2312")
    big5 = fonts.charset_codepoints("big5")
    assert len(big5) == 13706
    assert {ord(char) for char in TRADITIONAL_ONLY} <= big5
    assert not {ord(char) for char in TRADITIONAL_ONLY} & fonts.charset_codepoints("gb2312")
    hkscs = fonts.charset_codepoints("hkscs")
    assert big5 < hkscs and len(hkscs) == 18388
    assert {0x00CA, 0x0304} <= hkscs  # 0x8862 is Ê̄, a letter and a combining macron


def test_each_language_prints_its_family_first_then_the_others(tmp_path):
    languages = languages_file(tmp_path, with_second_language)
    css = fonts.print_family_css(languages)
    families = {family.name: family for family in fonts.print_families(languages)}
    assert list(families) == ["Plan Sans SC", "Plan Sans HK"]
    assert families["Plan Sans HK"].html_langs == ("zh-HK",)
    assert families["Plan Sans SC"].html_langs == tuple(
        language.html_lang for language in shipped_languages().by_code.values()
        if language.print_font.family == "Plan Sans SC")
    both = ['"Plan Sans SC", "Noto Sans CJK SC"', '"Plan Sans HK", "Noto Sans CJK HK"']
    for language in languages.by_code.values():
        first, then = both if language.print_font.family == "Plan Sans SC" else both[::-1]
        lang = language.html_lang
        rule = (f"body:lang({lang}), [lang]:lang({lang}) {{ font-family: {first}, {then}, "
                '"DejaVu Sans", sans-serif; }')
        assert rule in css.splitlines()
    # the shipped languages: one rule each, its own family first
    shipped = fonts.print_family_css()
    assert shipped.count("font-family") == len(shipped_languages().by_code)
    for language in shipped_languages().by_code.values():
        lang, family = language.html_lang, language.print_font.family
        assert f'body:lang({lang}), [lang]:lang({lang}) {{ font-family: "{family}"' in shipped


@pytest.mark.parametrize("change, message", [
    ({"charset": "big5"}, "different sources or character sets"),
    ({"family": "Noto Sans CJK SC"}, "a name of its own"),
    ({"family": "Plan/Sans"}, "may hold only"),
])
def test_a_print_font_the_languages_file_gives_inconsistently_is_refused(
    tmp_path, change, message
):
    def edit(data):
        first = next(iter(data["languages"].values()))
        first["print_font"] = {**first["print_font"], **change}

    with pytest.raises(fonts.PrintFontError, match=message):
        fonts.print_families(languages_file(tmp_path, edit))


@pytest.mark.parametrize("index", [0, 1])
def test_built_faces_are_truetype_of_their_family_with_every_character_of_its_set(
    built_faces, index
):
    for family in fonts.print_families():
        face = family.faces[index]
        font = built_faces[face]
        assert font.sfntVersion == "\x00\x01\x00\x00"
        assert "glyf" in font and "CFF " not in font and "VORG" not in font
        assert family_names(font) == {family.name}
        assert font["name"].getDebugName(6) == f"{family.stem}-{face.style}"
        assert font["OS/2"].usWeightClass == face.weight
        assert {"GSUB", "GPOS"} <= set(font.keys())  # shaping and kerning kept
        assert not {"vhea", "vmtx"} & set(font.keys())  # horizontal text only
        cmap = font.getBestCmap()
        ascii_codes = set(range(0x20, 0x7F))
        missing = (fonts.charset_codepoints(family.charset) | ascii_codes) - cmap.keys()
        # only what the system font itself lacks (Noto Sans CJK HK: 4 Big5 symbols)
        source = fonts.find_source_face(face)
        with TTFont(source.path, fontNumber=source.index, lazy=True) as original:
            assert not missing & original.getBestCmap().keys()
        assert len(missing) < 10


def test_regular_and_bold_are_distinct_outlines(built_faces):
    for family in fonts.print_families():
        regular, bold = (built_faces[face] for face in family.faces)
        glyph = regular.getBestCmap()[ord("中")]
        bold_glyph = bold.getBestCmap()[ord("中")]
        regular["glyf"][glyph].expand(regular["glyf"])
        bold["glyf"][bold_glyph].expand(bold["glyf"])
        assert regular["glyf"][glyph].coordinates != bold["glyf"][bold_glyph].coordinates


def test_spark_bars_are_narrow_and_rise_by_equal_steps(built_faces):
    """The paper sparkline's characters: 14 weeks fit in about 4.5 ems, not 14."""
    for font in built_faces.values():
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
    for each in fonts.print_families():
        (tmp_path / each.stamp_name).write_text(
            json.dumps(fonts._expected_stamp(each, fonts._sources(each))))
        for face in each.faces:
            (tmp_path / face.file_name).write_bytes(b"")
    family = fonts.print_families()[0]
    stamp = tmp_path / family.stamp_name
    assert fonts.print_fonts_up_to_date(tmp_path)
    bold = tmp_path / family.faces[1].file_name
    bold.unlink()
    assert not fonts.print_fonts_up_to_date(tmp_path)
    bold.write_bytes(b"")
    stamp.write_text(stamp.read_text().replace('"build_version": ', '"build_version": 1000'))
    assert not fonts.print_fonts_up_to_date(tmp_path)


def test_building_a_face_twice_gives_the_same_bytes():
    family = fonts.print_families()[0]
    face = family.faces[1]
    source = fonts.find_source_face(face)
    codepoints = {ord(char) for char in "客户经理今日计划 Plan 123，。"}
    first = fonts.build_face(source, face, codepoints)
    assert fonts.build_face(source, face, codepoints) == first
    font = TTFont(io.BytesIO(first))
    assert "glyf" in font and family_names(font) == {family.name}
    assert codepoints <= font.getBestCmap().keys()


def test_without_the_source_font_the_build_says_what_to_install(tmp_path, capsys):
    def edit(data):
        for language in data["languages"].values():
            language["print_font"]["source"] = "No Such Family For Tests"

    languages = languages_file(tmp_path, edit)
    out = tmp_path / "fonts"
    out.mkdir()
    with pytest.raises(fonts.PrintFontError, match="fonts-noto-cjk"):
        fonts.build_print_fonts(out, languages=languages)
    assert fonts.main(["--out", str(out), "--languages", languages.source_path]) == 1
    assert "install fonts-noto-cjk" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_css_declares_every_face_relative_to_the_templates(built_faces):
    css = fonts.print_font_css()
    assert css.count("@font-face") == len(shipped_faces())
    for face in shipped_faces():
        assert (f'@font-face {{ font-family: "{face.family.name}"; font-style: normal; '
                f"font-weight: {face.weight}; src: url(fonts/{face.file_name}); }}") in css
    assert css.endswith(fonts.print_family_css())


def test_without_the_built_font_css_has_the_families_only_and_warns_once(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.setattr(fonts, "PRINT_FONT_DIR", tmp_path)
    fonts._warn_missing_print_font.cache_clear()
    with caplog.at_level(logging.WARNING, logger=fonts.__name__):
        assert fonts.print_font_css() == fonts.print_family_css()
        assert fonts.print_font_css() == fonts.print_family_css()
    warnings = [r.getMessage() for r in caplog.records if r.name == fonts.__name__]
    assert len(warnings) == len(fonts.print_families())
    assert "slower" in warnings[0] and "make setup" in warnings[0]


def test_a_pdf_embeds_the_print_font_and_prints_rare_names_with_the_system_font(
    built_faces, tmp_path
):
    """No font-family of its own: the document language's list from print_font_css."""
    words = words_for(None)
    family = next(family for family in fonts.print_families()
                  if words.html_lang in family.html_langs)
    body = Markup(f"<p>客户 {RARE_NAME} 今日联系，存款 ¥1,200 到期。</p>"
                  f"<p><b>重点客户 {RARE_NAME}</b></p>")
    (pdf,) = render_section_pdfs([PrintSection("M001", body, words, "plan")])
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    embedded = run("pdffonts", str(path))
    name = pdf_name(family.name)
    assert f"{name} " in embedded and f"{name}-Bold " in embedded
    assert pdf_name(family.source) in embedded  # the fallback for 喆 and 堃
    text = run("pdftotext", str(path), "-")
    assert f"客户 {RARE_NAME} 今日联系，存款 ¥1,200 到期。" in text
    assert f"重点客户 {RARE_NAME}" in text


def test_a_second_family_is_built_beside_the_first_and_prints_its_language(
    built_faces, tmp_path
):
    """A language added to the languages file with a family of its own (Big5, Hong Kong
    forms): the builder builds that family only, and its documents print in it."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    languages = languages_file(tmp_path, with_second_language)
    out = tmp_path / "fonts"
    out.mkdir()
    first = fonts.print_families()[0]
    for name in (*(face.file_name for face in first.faces), first.stamp_name):
        shutil.copy(fonts.PRINT_FONT_DIR / name, out / name)
    built = fonts.build_print_faces(out, languages=languages)
    second = fonts.print_families(languages)[1]
    assert [face.path.name for face in built] == [face.file_name for face in second.faces]
    assert fonts.print_fonts_up_to_date(out, languages)

    font = TTFont(out / second.faces[0].file_name)
    cmap = font.getBestCmap()
    assert family_names(font) == {"Plan Sans HK"}
    assert {ord(char) for char in TRADITIONAL_ONLY} <= cmap.keys()
    hanzi = {ord(char) for char in fonts.charset_chars("big5", range(0xA4, 0xFA))}
    assert not hanzi - cmap.keys()
    assert len(fonts.charset_codepoints("big5") - cmap.keys()) < 10  # symbols Noto lacks
    systems = {system.LangSysTag for record in font["GSUB"].table.ScriptList.ScriptRecord
               for system in record.Script.LangSysRecord}
    assert systems == {"ZHH "}
    assert font["maxp"].numGlyphs < len(cmap) + 100

    css = fonts.print_font_css(languages, out)
    assert css.count("@font-face") == 4
    assert (f'font-family: "Plan Sans HK"; font-style: normal; font-weight: 400; '
            f"src: url({(out / 'PlanSansHK-Regular.ttf').as_uri()})") in css
    html = ('<html lang="en"><body><p lang="zh-HK">賬戶</p><p lang="zh-CN">账户</p>'
            "<p>Plan</p></body></html>")
    path = tmp_path / "two.pdf"
    font_config = FontConfiguration()
    stylesheet = weasyprint.CSS(string=css, font_config=font_config)
    path.write_bytes(weasyprint.HTML(string=html).write_pdf(
        stylesheets=[stylesheet], font_config=font_config))
    embedded = {line.split()[0].split("+")[1] for line in run("pdffonts", str(path))
                .splitlines()[2:]}
    assert embedded == {"Plan-Sans-HK", "Plan-Sans-SC"}


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

    face = fonts.print_families()[0].faces[0]
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
    for face, font in built_faces.items():
        assert font["maxp"].numGlyphs < len(font.getBestCmap()) + 100
        table = font["GSUB"].table
        systems = {system.LangSysTag for record in table.ScriptList.ScriptRecord
                   for system in record.Script.LangSysRecord}
        assert systems and systems <= face.family.language_systems()
        features = {record.FeatureTag for record in table.FeatureList.FeatureRecord}
        assert "locl" in features and not features & {"vert", "vrt2", "aalt", "fwid"}
