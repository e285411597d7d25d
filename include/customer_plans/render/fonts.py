"""The print fonts: per family the languages file names, a subset of a system CJK font in
TrueType outlines, built at set-up.

Every PDF embeds a subset of the fonts it uses. The system CJK fonts (Debian's
fonts-noto-cjk: 65,535 CFF glyphs per face) make that step slow: HarfBuzz-Subset
spends about 0.05 s per face per PDF on it. A font cut down once to the characters
plans print (a national character set, Latin, punctuation, full-width forms, arrows and
bullet shapes) and converted to TrueType outlines takes 35-50 % off the time to write a PDF
and 50-70 % off its size (sample plans; ``benchmarks/bench_print_font.py``). It keeps only
the OpenType features (``LAYOUT_FEATURES``) and language systems its languages' text uses:
Plan Sans SC (GB2312, for zh-CN and en) has 7,916 glyphs, about one per character, where
all of the source's kept 14,356.

Each language in include/config/languages.yaml names its ``print_font``: the derived
font's ``family``, the system ``source`` family it is cut from (found with fontconfig)
and the ``charset`` it covers (``CHARSETS``: gb2312, big5, hkscs). Languages naming the
same family share its files; ``print_families()`` gathers them. Adding a language whose
documents need other glyph forms is a new family there, nothing here.

``build_print_faces()`` derives each family from the installed system font (nothing is
downloaded; Noto is under the SIL Open Font License, so the derived font carries a
family name of its own) into ``PRINT_FONT_DIR``, a gitignored folder next to the print
templates, as ``<family without spaces>-<style>.ttf`` with a build stamp per family, and
rebuilds a family only when its system font, character set or languages, this builder or
fontTools changed. The bytes depend on nothing else (no build time): two builds from the
same system font are identical.

``print_font_css()`` gives the ``@font-face`` rules of the faces that exist and, per
document language (``:lang(<html_lang>)``), the family list: the language's family, its
source, then the other families and theirs. A character the subset lacks (a rare name
character such as 喆) falls back to the full system font, character by character.
Without the built files the plans still print, with the system fonts only.

    .venv/bin/python -m customer_plans.render.fonts [--force] [--out DIR] [--languages FILE]
"""

from __future__ import annotations

import argparse
import codecs
import ctypes
import ctypes.util
import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from customer_plans.files import write_bytes_atomic, write_text_atomic
from customer_plans.render.environment import PLAN_TEMPLATES_DIR
from customer_plans.words.languages import Language, Languages, shipped_languages

log = logging.getLogger(__name__)

PRINT_FONT_DIR = PLAN_TEMPLATES_DIR / "fonts"
SOURCE_PACKAGE = "fonts-noto-cjk"
STAMP_SUFFIX = "-build-stamp.json"
# Bump when the output of build_face changes for the same inputs, so existing builds are redone.
BUILD_VERSION = 5
# cu2qu tolerance in font units (1000 per em): at 9 pt, 1 unit is 0.003 mm
MAX_CURVE_ERROR = 1.0
# The faces of every family: fontconfig style of the source face (and the file name's
# suffix), and CSS font-weight (and the source's OS/2 weight class).
PRINT_STYLES = (("Regular", 400), ("Bold", 700))
# After the CJK families in every family list: what draws a symbol none of them has.
GENERIC_FAMILIES = ('"DejaVu Sans"', "sans-serif")

# Beyond the character set: Latin, punctuation and the symbols plans print. The subsetter
# ignores code points the source font does not have.
EXTRA_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A
    (0x2000, 0x206F),  # General Punctuation
    (0x2190, 0x21FF),  # Arrows
    (0x2581, 0x2588),  # Block Elements: the eighths, drawn as spark bars (SPARK_BARS)
    (0x25A0, 0x25FF),  # Geometric Shapes (bullets)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)
EXTRA_CHARS = "•€¥‰℃№"

# The OpenType features HarfBuzz applies to horizontal text unasked (hb-ot-shape's common and
# horizontal features; the print CSS asks for no other). The source face also has
# alternates (aalt, hist, dlig), width variants (fwid, hwid, pwid), ruby and vertical forms
# (vert, vrt2) that plans never ask for, and its subset would keep every glyph they reach.
LAYOUT_FEATURES = (
    "abvm", "blwm", "ccmp", "locl", "mark", "mkmk", "rlig",
    "calt", "clig", "curs", "dist", "kern", "liga", "rclt",
)
# Room for HarfBuzz's candidate OpenType language tags of one BCP 47 tag (it gives 1-3).
MAX_LANGUAGE_TAGS = 8

# The lower one-eighth to full blocks, ▁ to █: a paper plan's AUM sparkline is a word of them
# (``svg.spark_bars``), which WeasyPrint sets like any text, where an inline SVG costs it as
# much as a dozen lines. The source font draws them an em wide, so 13 weeks would span
# 13 ems; the print font redraws them as narrow bars in the line's own ink, their heights
# rising by equal steps from just under the baseline to about the cap height (font units
# of a 1,000-unit em).
SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_ADVANCE = 320
SPARK_BAR_WIDTH = 240
SPARK_BOTTOM = -100
SPARK_STEP = 110

# Family names become PostScript and file names, CSS strings and fontconfig patterns.
FAMILY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]*")
# A document language in a CSS :lang() selector, unquoted.
CSS_LANG = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


class PrintFontError(RuntimeError):
    """The print font cannot be built here (the system font is missing or unusable), or
    the languages file describes it inconsistently."""


@dataclass(frozen=True)
class Charset:
    """A national two-byte character set, read off the Python codec that decodes it."""

    codec: str
    lead_bytes: range
    trail_bytes: tuple[range, ...]
    common: range  # the lead bytes of its most frequent hanzi (the benchmark's text)


CHARSETS = {
    # 7,445: 6,763 hanzi and 682 symbols; rows 0xB0-0xD7 are level 1, 3,755 hanzi
    "gb2312": Charset("gb2312", range(0xA1, 0xF8), (range(0xA1, 0xFF),), range(0xB0, 0xD8)),
    # 13,706: 13,061 hanzi and symbols; 0xA440-0xC67E are the 5,401 frequent hanzi
    "big5": Charset("big5", range(0xA1, 0xFA), (range(0x40, 0x7F), range(0xA1, 0xFF)),
                    range(0xA4, 0xC7)),
    # Big5 and the Hong Kong Supplementary Character Set: 18,388 code points
    "hkscs": Charset("big5hkscs", range(0x87, 0xFF), (range(0x40, 0x7F), range(0xA1, 0xFF)),
                     range(0xA4, 0xC7)),
}


@dataclass(frozen=True)
class PrintFamily:
    """One print font family, as the languages file gives it, and the document languages
    (``html_lang``) set in it."""

    name: str  # the derived font's family name
    source: str  # the system family it is cut from
    charset: str  # a key of CHARSETS
    html_langs: tuple[str, ...]

    @property
    def stem(self) -> str:
        """The family's PostScript name without the style, and its files' prefix."""
        return self.name.replace(" ", "")

    @property
    def faces(self) -> tuple[PrintFace, ...]:
        return tuple(PrintFace(self, style, weight) for style, weight in PRINT_STYLES)

    @property
    def stamp_name(self) -> str:
        return f"{self.stem}{STAMP_SUFFIX}"

    def codepoints(self) -> frozenset[int]:
        return print_codepoints(self.charset)

    def language_systems(self) -> frozenset[str]:
        """The OpenType language systems its languages' text is shaped with: the others'
        locl forms (Japanese, Korean, the other Chinese locales) are most of the glyphs the
        subset would otherwise keep."""
        return frozenset(tag for lang in self.html_langs for tag in opentype_language_tags(lang))


@dataclass(frozen=True)
class PrintFace:
    """One face of a print font family and the system face it is cut from."""

    family: PrintFamily
    style: str
    weight: int

    @property
    def postscript_name(self) -> str:
        return f"{self.family.stem}-{self.style}"

    @property
    def file_name(self) -> str:
        return f"{self.postscript_name}.ttf"

    @property
    def full_name(self) -> str:
        name = self.family.name
        return name if self.style == "Regular" else f"{name} {self.style}"


@dataclass(frozen=True)
class SourceFace:
    """A face inside an installed font file (``index`` into a TrueType collection)."""

    path: Path
    index: int

    def stamp(self) -> dict[str, object]:
        stat = self.path.stat()
        return {
            "path": str(self.path),
            "index": self.index,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
        }


@dataclass(frozen=True)
class BuiltFace:
    """What building one face produced, for the command line's report."""

    path: Path
    glyph_count: int
    size_bytes: int
    seconds: float


def print_families(languages: Languages | None = None) -> tuple[PrintFamily, ...]:
    """The print font families of ``languages`` (the shipped ones by default), in the order
    the languages file first names them, each with the document languages set in it."""
    languages = shipped_languages() if languages is None else languages
    where = f"render: languages file {languages.source_path}"
    fonts, html_langs = {}, {}
    for language in languages.by_code.values():
        font = language.print_font
        known = fonts.setdefault(font.family, font)
        if known != font:
            raise PrintFontError(
                f"{where}: the languages of print font family {font.family!r} give it "
                f"different sources or character sets ({known.source}, {known.charset} and "
                f"{font.source}, {font.charset}); give them one"
            )
        if not CSS_LANG.fullmatch(language.html_lang):
            raise PrintFontError(
                f"{where}: languages.{language.code}.html_lang {language.html_lang!r} "
                "is not a BCP 47 tag"
            )
        html_langs.setdefault(font.family, []).append(language.html_lang)
    families = tuple(
        PrintFamily(font.family, font.source, font.charset,
                    tuple(dict.fromkeys(html_langs[font.family])))
        for font in fonts.values()
    )
    sources = {family.source for family in families}
    for family in families:
        if family.charset not in CHARSETS:
            raise PrintFontError(
                f"{where}: print font family {family.name!r} has charset {family.charset!r}; "
                f"known: {', '.join(CHARSETS)}"
            )
        for name in (family.name, family.source):
            if not FAMILY_NAME.fullmatch(name):
                raise PrintFontError(
                    f"{where}: print font family name {name!r} may hold only Latin letters, "
                    "digits, spaces, dots, hyphens and underscores"
                )
        if family.name in sources or max(len(f.postscript_name) for f in family.faces) > 63:
            raise PrintFontError(
                f"{where}: print font family {family.name!r} must be a name of its own (not "
                "a system family the print fonts are cut from), of at most 55 characters "
                "without its spaces (PostScript names are at most 63)"
            )
    return families


@functools.cache
def _harfbuzz() -> ctypes.CDLL:
    for name in (ctypes.util.find_library("harfbuzz"), "libharfbuzz.so.0", "libharfbuzz.0.dylib"):
        if not name:
            continue
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.hb_language_from_string.restype = ctypes.c_void_p
        library.hb_language_from_string.argtypes = [ctypes.c_char_p, ctypes.c_int]
        library.hb_ot_tags_from_script_and_language.restype = None
        library.hb_ot_tags_from_script_and_language.argtypes = [
            ctypes.c_uint32, ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint32),
            ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint32),
        ]
        return library
    raise PrintFontError(
        "render: HarfBuzz (libharfbuzz) is not installed, so the print font cannot tell which "
        "OpenType language systems to keep; install libharfbuzz0b (`make system-deps`)"
    )


@functools.cache
def opentype_language_tags(html_lang: str) -> tuple[str, ...]:
    """The OpenType language system tags HarfBuzz, which shapes the PDFs' text, tries for
    text in ``html_lang``, in its order (zh-CN: ZHS; zh-HK: ZHH; en: ENG, which CJK fonts
    lack, so their default language system shapes it)."""
    harfbuzz = _harfbuzz()
    language = harfbuzz.hb_language_from_string(html_lang.encode("ascii"), -1)
    count = ctypes.c_uint(MAX_LANGUAGE_TAGS)
    tags = (ctypes.c_uint32 * MAX_LANGUAGE_TAGS)()
    no_scripts = ctypes.c_uint(0)
    harfbuzz.hb_ot_tags_from_script_and_language(
        0, language, ctypes.byref(no_scripts), None, ctypes.byref(count), tags
    )
    return tuple(tags[i].to_bytes(4, "big").decode("latin-1") for i in range(count.value))


def _charset(name: str) -> Charset:
    charset = CHARSETS[name]
    try:
        codecs.lookup(charset.codec)
    except LookupError:
        raise PrintFontError(
            f"render: this Python has no {charset.codec} codec, which the print font's "
            f"character set {name} is read from"
        ) from None
    return charset


def charset_chars(name: str, lead_bytes: range | None = None) -> list[str]:
    """The characters of character set ``name`` whose codes' first byte is in ``lead_bytes``
    (all of them by default), in code order. A few HKSCS codes stand for a letter and a
    combining mark: both are listed."""
    charset = _charset(name)
    chars = []
    for lead in charset.lead_bytes if lead_bytes is None else lead_bytes:
        for trail_bytes in charset.trail_bytes:
            for trail in trail_bytes:
                try:
                    chars.extend(bytes((lead, trail)).decode(charset.codec))
                except UnicodeDecodeError:
                    continue  # an unassigned code
    return chars


@functools.cache
def charset_codepoints(name: str) -> frozenset[int]:
    """Every character set ``name`` encodes (GB2312: 7,445; Big5: 13,706)."""
    return frozenset(ord(char) for char in charset_chars(name))


@functools.cache
def print_codepoints(charset: str) -> frozenset[int]:
    """The characters a print font keeps: its character set plus ``EXTRA_RANGES`` and
    ``EXTRA_CHARS``."""
    extra = {code for first, last in EXTRA_RANGES for code in range(first, last + 1)}
    return charset_codepoints(charset) | extra | {ord(char) for char in EXTRA_CHARS}


def _install_hint() -> str:
    return (
        f"install {SOURCE_PACKAGE} (Debian/Ubuntu: `sudo apt-get install {SOURCE_PACKAGE}`, "
        "or `make system-deps`) and run `make setup` again"
    )


def _family_names(font) -> set[str]:
    return {record.toUnicode() for record in font["name"].names if record.nameID in (1, 16)}


def find_source_face(face: PrintFace) -> SourceFace:
    """The installed system face ``face`` is cut from, found with fontconfig and checked."""
    from fontTools.ttLib import TTFont

    family = face.family.source
    # fontconfig reads "-" as the start of a size and ":" and "," as separators
    escaped = re.sub(r"([-:,])", r"\\\1", family)
    pattern = f"{escaped}:style={face.style}"
    if shutil.which("fc-match") is None:
        raise PrintFontError(
            "render: fc-match (fontconfig) is not installed, so the system font "
            f"{family} cannot be found; install fontconfig and {SOURCE_PACKAGE}"
        )
    result = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}", pattern],
        capture_output=True, text=True, check=False,
    )
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != 2 or not lines[1].isdigit():
        raise PrintFontError(
            f"render: `fc-match '{pattern}'` found no font ({result.stderr.strip() or 'no output'})"
            f"; {_install_hint()}"
        )
    source = SourceFace(Path(lines[0]), int(lines[1]))
    try:
        font = TTFont(source.path, fontNumber=source.index, lazy=True)
    except Exception as error:  # fontTools raises several kinds on files it cannot read
        raise PrintFontError(
            f"render: cannot read {source.path} (face {source.index}), which fontconfig gives "
            f"for {pattern!r}: {error}; {_install_hint()}"
        ) from error
    with font:
        families = _family_names(font)
        weight = font["OS/2"].usWeightClass if "OS/2" in font else None
        outlines = "CFF " in font or "glyf" in font
    if family not in families:
        raise PrintFontError(
            f"render: {family} is not installed (fontconfig gives {source.path}, "
            f"family {', '.join(sorted(families)) or 'unknown'}, for {pattern!r}); "
            + _install_hint()
        )
    if weight != face.weight or not outlines:
        raise PrintFontError(
            f"render: {source.path} (face {source.index}), fontconfig's {pattern!r}, is not a "
            f"static {face.style} face (weight {weight}, expected {face.weight}, CFF or glyf "
            f"outlines); {_install_hint()}"
        )
    return source


def _keep_language_systems(font, systems: frozenset[str]) -> None:
    """Forget every language system but ``systems`` (and each script's default), so that
    the subsetter drops the features (locl) only the others use and the glyphs only those
    reach."""
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for record in font[tag].table.ScriptList.ScriptRecord:
            script = record.Script
            script.LangSysRecord = [
                system for system in script.LangSysRecord if system.LangSysTag in systems
            ]
            script.LangSysCount = len(script.LangSysRecord)


def _subset(
    font, codepoints: Iterable[int], language_systems: frozenset[str], every_feature: bool
) -> None:
    """Cut ``font`` down to ``codepoints`` and what shaping them for plans needs: the source's
    shaping and kerning for the family's languages, nothing for other locales, vertical text
    or alternates (or, with ``every_feature``, all of the source's features and language
    systems: a test checks that both print the same glyphs at the same places)."""
    from fontTools import subset

    options = subset.Options()
    if every_feature:
        options.layout_features = ["*"]
    else:
        _keep_language_systems(font, language_systems)
        options.layout_features = list(LAYOUT_FEATURES)
    options.name_IDs = ["*"]  # copyright, license and credits stay with the font
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = False  # CFF hints do not survive the conversion to TrueType anyway
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)


def _rename(font, face: PrintFace) -> None:
    """Name the derived font after itself (OFL: it must not claim the source's name)."""
    names = {
        1: face.family.name,
        3: f"{BUILD_VERSION};{face.postscript_name}",
        4: face.full_name,
        6: face.postscript_name,
        16: face.family.name,
    }
    for record in font["name"].names:
        if record.nameID in names:
            # every platform and language, so no record still names the source family
            record.string = names[record.nameID]


def _cff_to_glyf(font) -> None:
    """Replace the CFF outlines with quadratic TrueType ones (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_CURVE_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()

    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)  # computes each glyph's bounds
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):  # TrueType's left side bearing is the outline's xMin
            hmtx[name] = (hmtx[name][0], glyph.xMin)

    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, field, 0)
    maxp.maxComponentElements = max(
        (len(getattr(glyph, "components", ())) for glyph in glyphs.values()), default=0
    )
    maxp.compile(font)  # recalculates the point and contour maxima from glyf

    post = font["post"]
    post.formatType = 3.0  # no glyph names: PDFs map glyphs to text with their own table
    post.extraNames = []
    post.mapping = {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def _draw_spark_bars(font) -> None:
    """Redraw ``SPARK_BARS`` as narrow bars, ``SPARK_ADVANCE`` units apart."""
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    cmap = font.getBestCmap()
    glyf = font["glyf"]
    left = (SPARK_ADVANCE - SPARK_BAR_WIDTH) // 2
    right = left + SPARK_BAR_WIDTH
    for step, char in enumerate(SPARK_BARS, 1):
        name = cmap.get(ord(char))
        if name is None:  # a codepoints list without the bars (tests build small faces)
            continue
        top = SPARK_BOTTOM + step * SPARK_STEP
        pen = TTGlyphPen(None)
        # clockwise: TrueType's outer contours run that way
        pen.moveTo((left, SPARK_BOTTOM))
        pen.lineTo((left, top))
        pen.lineTo((right, top))
        pen.lineTo((right, SPARK_BOTTOM))
        pen.closePath()
        glyf[name] = pen.glyph()
        font["hmtx"][name] = (SPARK_ADVANCE, left)


def _drop_vertical_metrics(font) -> None:
    """Drop the vertical metrics: plans are set horizontally, and every PDF's subset of the
    font carried them, 4 bytes for each glyph number up to the highest one the plan uses
    (about a third of the subset), to be compressed at zlib's slowest level each time."""
    for tag in ("vhea", "vmtx"):
        if tag in font:
            del font[tag]



def build_face(
    source: SourceFace,
    face: PrintFace,
    codepoints: Iterable[int] | None = None,
    every_feature: bool = False,
) -> bytes:
    """The print font's ``face`` as TrueType bytes, cut from ``source`` to ``codepoints``
    (by default its family's: ``PrintFamily.codepoints``).

    Deterministic: the same source and code points give the same bytes (the source's
    timestamps are kept, nothing records the build time).
    """
    from fontTools.ttLib import TTFont

    family = face.family
    font = TTFont(source.path, fontNumber=source.index, recalcTimestamp=False)
    with font:
        _subset(font, family.codepoints() if codepoints is None else codepoints,
                family.language_systems(), every_feature)
        _rename(font, face)
        if "CFF " in font:
            _cff_to_glyf(font)
        _draw_spark_bars(font)
        _drop_vertical_metrics(font)
        buffer = io.BytesIO()
        font.save(buffer)
    return buffer.getvalue()


def _build_face_file(source: SourceFace, face: PrintFace, path: Path) -> BuiltFace:
    from fontTools.ttLib import TTFont

    started = time.perf_counter()
    data = build_face(source, face)
    write_bytes_atomic(path, data)
    with TTFont(io.BytesIO(data), lazy=True) as font:
        glyph_count = font["maxp"].numGlyphs
    return BuiltFace(path, glyph_count, len(data), time.perf_counter() - started)


def _expected_stamp(family: PrintFamily, sources: Sequence[SourceFace]) -> dict[str, object]:
    import fontTools

    codepoints = ",".join(f"{code:X}" for code in sorted(family.codepoints()))
    return {
        "build_version": BUILD_VERSION,
        "fonttools": fontTools.version,
        "family": family.name,
        "charset": family.charset,
        "char_count": len(family.codepoints()),
        "chars_sha256": hashlib.sha256(codepoints.encode("ascii")).hexdigest(),
        "language_systems": sorted(family.language_systems()),
        "faces": {
            face.file_name: source.stamp()
            for face, source in zip(family.faces, sources, strict=True)
        },
    }


def _read_stamp(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _sources(family: PrintFamily) -> list[SourceFace]:
    return [find_source_face(face) for face in family.faces]


def _up_to_date(out_dir: Path, family: PrintFamily, stamp: dict[str, object]) -> bool:
    return _read_stamp(out_dir / family.stamp_name) == stamp and all(
        (out_dir / face.file_name).is_file() for face in family.faces
    )


def print_fonts_up_to_date(
    out_dir: Path = PRINT_FONT_DIR, languages: Languages | None = None
) -> bool:
    """Whether ``out_dir`` holds every face of every family, built by this builder from
    today's system fonts for today's languages.

    Each family's stamp beside the files records its source files (path, size, mtime),
    its characters, its language systems, ``BUILD_VERSION`` and the fontTools version.
    """
    return all(
        _up_to_date(out_dir, family, _expected_stamp(family, _sources(family)))
        for family in print_families(languages)
    )


def build_print_faces(
    out_dir: Path = PRINT_FONT_DIR, force: bool = False, languages: Languages | None = None
) -> list[BuiltFace]:
    """Build the faces of every family of ``languages`` (the shipped ones by default) into
    ``out_dir``, but for the families up to date there (unless ``force``).

    Returns what was built, nothing when every family was up to date. Raises
    ``PrintFontError`` when a family's system font is not installed or not usable.
    """
    stale = []
    for family in print_families(languages):
        sources = _sources(family)
        stamp = _expected_stamp(family, sources)
        if force or not _up_to_date(out_dir, family, stamp):
            stale.append((family, sources, stamp))
    jobs = [(source, face, out_dir / face.file_name)
            for family, sources, _ in stale
            for face, source in zip(family.faces, sources, strict=True)]
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers > 1:  # a face takes CPU-bound seconds: one process each
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_build_face_file, *job) for job in jobs]
            built = [future.result() for future in futures]
    else:
        built = [_build_face_file(*job) for job in jobs]
    # the stamps last: a build cut short is redone next time
    for family, _, stamp in stale:
        write_text_atomic(out_dir / family.stamp_name,
                          json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    return built


def build_print_fonts(
    out_dir: Path = PRINT_FONT_DIR, force: bool = False, languages: Languages | None = None
) -> list[Path]:
    """Build the print fonts' files when missing or stale; the paths written (none if current)."""
    return [face.path for face in build_print_faces(out_dir, force, languages)]


@functools.cache
def _warn_missing_print_font(family: str, font_dir: Path) -> None:
    log.warning(
        "render: the print font %s is not built in %s, so PDFs embed the full system CJK "
        "font and are slower to write and larger; run `make setup` "
        "(or `.venv/bin/python -m customer_plans.render.fonts`)",
        family, font_dir,
    )


def _font_url(path: Path) -> str:
    # relative to the plan templates folder, the print document's base URL
    if path.is_relative_to(PLAN_TEMPLATES_DIR):
        return path.relative_to(PLAN_TEMPLATES_DIR).as_posix()
    return path.as_uri()


def print_family_list(language: Language, languages: Languages | None = None) -> str:
    """The CSS font-family list ``language``'s text prints with: its print font family, its
    source, then the other families of ``languages`` and theirs, then ``GENERIC_FAMILIES``."""
    families = {family.name: family for family in print_families(languages)}
    own = families[language.print_font.family]
    others = [family for family in families.values() if family is not own]
    names = dict.fromkeys(
        name for family in (own, *others) for name in (family.name, family.source)
    )
    return ", ".join([*(f'"{name}"' for name in names), *GENERIC_FAMILIES])


def print_family_css(languages: Languages | None = None) -> str:
    """Per document language, ``:lang(<html_lang>)``, its ``print_family_list``.

    On the body and on every element with a ``lang`` (the print document and each plan's
    section carry theirs), so other text inherits its section's list. Tags with fewer
    subtags first: at equal specificity the later rule wins, and ``:lang(zh)`` also
    matches zh-HK.
    """
    languages = shipped_languages() if languages is None else languages
    rules = []
    for language in sorted(languages.by_code.values(), key=lambda lang: lang.html_lang.count("-")):
        lang = language.html_lang
        rules.append(f"body:lang({lang}), [lang]:lang({lang}) "
                     f"{{ font-family: {print_family_list(language, languages)}; }}")
    return "\n".join(rules)


def print_font_css(languages: Languages | None = None, font_dir: Path | None = None) -> str:
    """The ``@font-face`` rules of the built print font faces in ``font_dir`` (by default
    ``PRINT_FONT_DIR``), then ``print_family_css``. One warning per family not built: its
    languages print with the system font."""
    font_dir = PRINT_FONT_DIR if font_dir is None else font_dir
    rules = []
    for family in print_families(languages):
        faces = [face for face in family.faces if (font_dir / face.file_name).is_file()]
        if len(faces) < len(family.faces):
            _warn_missing_print_font(family.name, font_dir)
        rules.extend(
            f'@font-face {{ font-family: "{family.name}"; font-style: normal; '
            f"font-weight: {face.weight}; src: url({_font_url(font_dir / face.file_name)}); }}"
            for face in faces
        )
    rules.append(print_family_css(languages))
    return "\n".join(rules)


def main(argv: Sequence[str] | None = None) -> int:
    from customer_plans.words.languages import LanguagesError, load_languages

    parser = argparse.ArgumentParser(
        prog="python -m customer_plans.render.fonts",
        description="Build the print fonts of the configured languages from the installed "
                    "system fonts.",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("--out", type=Path, default=PRINT_FONT_DIR, metavar="DIR",
                        help=f"where to write the font files (default {PRINT_FONT_DIR})")
    parser.add_argument("--languages", type=Path, metavar="FILE",
                        help="the languages file whose print fonts to build (default the "
                             "shipped include/config/languages.yaml)")
    args = parser.parse_args(argv)
    try:
        languages = load_languages(args.languages) if args.languages else None
        built = build_print_faces(args.out, force=args.force, languages=languages)
    except (PrintFontError, LanguagesError) as error:
        print(error, file=sys.stderr)
        return 1
    if not built:
        names = ", ".join(family.name for family in print_families(languages))
        print(f"{names} in {args.out}: up to date")
    for face in built:
        print(f"{face.path}: {face.glyph_count} glyphs, {face.size_bytes / 1024:,.0f} KB, "
              f"{face.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
