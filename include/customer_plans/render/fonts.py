"""The print font: a GB2312 subset of Noto Sans CJK SC in TrueType outlines, built at set-up.

Every PDF embeds a subset of the fonts it uses. The system CJK font (Debian's
fonts-noto-cjk: 65,535 CFF glyphs per face) makes that step slow: HarfBuzz-Subset
spends about 0.05 s per face per PDF on it. A font cut down once to the characters
plans print (all of GB2312, Latin, punctuation, full-width forms, arrows and bullet
shapes) and converted to TrueType outlines takes 35-50 % off the time to write a PDF
and 50-70 % off its size (sample plans; ``benchmarks/bench_print_font.py``). It keeps only
the OpenType features and language systems zh-CN and en text uses (``LAYOUT_FEATURES``):
7,916 glyphs, about one per character, where all of the source's kept 14,356.

``build_print_fonts()`` derives that font from the installed system font (nothing is
downloaded; Noto is under the SIL Open Font License, so the derived font carries a
family name of its own, "Plan Sans SC") into ``PRINT_FONT_DIR``, a gitignored folder
next to the print templates, and rebuilds only when the system font, the character
set, this builder or fontTools changed. The bytes depend on nothing else (no build
time): two builds from the same system font are identical.

``print_font_css()`` gives the ``@font-face`` rules for the faces that exist. The print
CSS lists "Plan Sans SC" before "Noto Sans CJK SC", so a character the subset lacks
(a rare name character such as 喆) falls back to the full system font, character by
character. Without the built files the plans still print, with the system font only.

    .venv/bin/python -m customer_plans.render.fonts [--force] [--out DIR]
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import logging
import os
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

log = logging.getLogger(__name__)

PRINT_FONT_DIR = PLAN_TEMPLATES_DIR / "fonts"
PRINT_FAMILY = "Plan Sans SC"
SOURCE_FAMILY = "Noto Sans CJK SC"
SOURCE_PACKAGE = "fonts-noto-cjk"
STAMP_NAME = "build-stamp.json"
# Bump when the output of build_face changes for the same inputs, so existing builds are redone.
BUILD_VERSION = 5
# cu2qu tolerance in font units (1000 per em): at 9 pt, 1 unit is 0.003 mm
MAX_CURVE_ERROR = 1.0

# Beyond GB2312: Latin, punctuation and the symbols plans print. The subsetter ignores
# code points the source font does not have.
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
# OpenType language systems of the other CJK locales. Plans are set in zh-CN (ZHS) or en (the
# script's default system); the locl forms of Japanese, Korean and Traditional Chinese
# (Taiwan, Hong Kong) are most of the glyphs the subset would otherwise keep, 14,356 in all.
OTHER_LANGUAGE_SYSTEMS = frozenset({"JAN ", "KOR ", "ZHT ", "ZHH "})

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


@dataclass(frozen=True)
class PrintFace:
    """One face of the print font and the system face it is cut from."""

    style: str  # fontconfig style of the source face, and the file name's suffix
    weight: int  # CSS font-weight, and the source's OS/2 weight class

    @property
    def postscript_name(self) -> str:
        return f"{PRINT_FAMILY.replace(' ', '')}-{self.style}"

    @property
    def file_name(self) -> str:
        return f"{self.postscript_name}.ttf"

    @property
    def full_name(self) -> str:
        return PRINT_FAMILY if self.style == "Regular" else f"{PRINT_FAMILY} {self.style}"


PRINT_FACES = (PrintFace("Regular", 400), PrintFace("Bold", 700))


class PrintFontError(RuntimeError):
    """The print font cannot be built here (the system font is missing or unusable)."""


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


def gb2312_chars(lead_bytes: range = range(0xA1, 0xF8)) -> list[str]:
    """The GB2312 characters whose first byte is in ``lead_bytes`` (all of them by default;
    rows 0xB0-0xD7 are level 1, the 3,755 most common hanzi)."""
    chars = []
    for lead in lead_bytes:
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # an unassigned code
    return chars


@functools.cache
def gb2312_codepoints() -> frozenset[int]:
    """Every character GB2312 encodes (7,445: 6,763 hanzi and 682 symbols)."""
    return frozenset(ord(char) for char in gb2312_chars())


@functools.cache
def print_codepoints() -> frozenset[int]:
    """The characters the print font keeps: GB2312 plus ``EXTRA_RANGES`` and ``EXTRA_CHARS``."""
    extra = {code for first, last in EXTRA_RANGES for code in range(first, last + 1)}
    return gb2312_codepoints() | extra | {ord(char) for char in EXTRA_CHARS}


def _install_hint() -> str:
    return (
        f"install {SOURCE_PACKAGE} (Debian/Ubuntu: `sudo apt-get install {SOURCE_PACKAGE}`, "
        "or `make system-deps`) and run `make setup` again"
    )


def _family_names(font) -> set[str]:
    return {record.toUnicode() for record in font["name"].names if record.nameID in (1, 16)}


def find_source_face(face: PrintFace) -> SourceFace:
    """The installed Noto Sans CJK SC face for ``face``, found with fontconfig and checked."""
    from fontTools.ttLib import TTFont

    pattern = f"{SOURCE_FAMILY}:style={face.style}"
    if shutil.which("fc-match") is None:
        raise PrintFontError(
            "render: fc-match (fontconfig) is not installed, so the system font "
            f"{SOURCE_FAMILY} cannot be found; install fontconfig and {SOURCE_PACKAGE}"
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
    if SOURCE_FAMILY not in families:
        raise PrintFontError(
            f"render: {SOURCE_FAMILY} is not installed (fontconfig gives {source.path}, "
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


def _drop_other_language_systems(font) -> None:
    """Forget the other CJK locales' language systems, so that the subsetter drops the
    features (locl) only they use and the glyphs only those reach."""
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for record in font[tag].table.ScriptList.ScriptRecord:
            script = record.Script
            script.LangSysRecord = [
                system for system in script.LangSysRecord
                if system.LangSysTag not in OTHER_LANGUAGE_SYSTEMS
            ]
            script.LangSysCount = len(script.LangSysRecord)


def _subset(font, codepoints: Iterable[int], every_feature: bool = False) -> None:
    """Cut ``font`` down to ``codepoints`` and what shaping them for plans needs: the source's
    shaping and kerning for zh-CN and en text, nothing for other locales, vertical text or
    alternates (or, with ``every_feature``, all of the source's features and language
    systems: a test checks that both print the same glyphs at the same places)."""
    from fontTools import subset

    options = subset.Options()
    if every_feature:
        options.layout_features = ["*"]
    else:
        _drop_other_language_systems(font)
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
        1: PRINT_FAMILY,
        3: f"{BUILD_VERSION};{face.postscript_name}",
        4: face.full_name,
        6: face.postscript_name,
        16: PRINT_FAMILY,
    }
    for record in font["name"].names:
        if record.nameID in names:
            # every platform and language, so no record still says Noto Sans CJK SC
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
    """The print font's ``face`` as TrueType bytes, cut from ``source`` to ``codepoints``.

    Deterministic: the same source and code points give the same bytes (the source's
    timestamps are kept, nothing records the build time).
    """
    from fontTools.ttLib import TTFont

    font = TTFont(source.path, fontNumber=source.index, recalcTimestamp=False)
    with font:
        _subset(font, print_codepoints() if codepoints is None else codepoints, every_feature)
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


def _expected_stamp(sources: Sequence[SourceFace]) -> dict[str, object]:
    import fontTools

    return {
        "build_version": BUILD_VERSION,
        "fonttools": fontTools.version,
        "char_count": len(print_codepoints()),
        "faces": {
            face.file_name: source.stamp()
            for face, source in zip(PRINT_FACES, sources, strict=True)
        },
    }


def _read_stamp(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _sources() -> list[SourceFace]:
    return [find_source_face(face) for face in PRINT_FACES]


def print_fonts_up_to_date(out_dir: Path = PRINT_FONT_DIR) -> bool:
    """Whether ``out_dir`` holds every face, built by this builder from today's system font.

    The stamp beside the files records the source files (path, size, mtime), the
    character count, ``BUILD_VERSION`` and the fontTools version they were built with.
    """
    return _up_to_date(out_dir, _expected_stamp(_sources()))


def _up_to_date(out_dir: Path, stamp: dict[str, object]) -> bool:
    return _read_stamp(out_dir / STAMP_NAME) == stamp and all(
        (out_dir / face.file_name).is_file() for face in PRINT_FACES
    )


def build_print_faces(out_dir: Path = PRINT_FONT_DIR, force: bool = False) -> list[BuiltFace]:
    """Build every face into ``out_dir`` unless they are up to date there (or ``force``).

    Returns what was built, nothing when the files were up to date. Raises
    ``PrintFontError`` when no usable Noto Sans CJK SC is installed.
    """
    sources = _sources()
    stamp = _expected_stamp(sources)
    if not force and _up_to_date(out_dir, stamp):
        return []
    jobs = [(source, face, out_dir / face.file_name)
            for face, source in zip(PRINT_FACES, sources, strict=True)]
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers > 1:  # a face takes CPU-bound seconds: one process each
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_build_face_file, *job) for job in jobs]
            built = [future.result() for future in futures]
    else:
        built = [_build_face_file(*job) for job in jobs]
    # the stamp last: a build cut short is redone next time
    write_text_atomic(out_dir / STAMP_NAME, json.dumps(stamp, indent=2, sort_keys=True) + "\n")
    return built


def build_print_fonts(out_dir: Path = PRINT_FONT_DIR, force: bool = False) -> list[Path]:
    """Build the print font's files when missing or stale; the paths written (none if current)."""
    return [face.path for face in build_print_faces(out_dir, force)]


@functools.cache
def _warn_missing_print_fonts(font_dir: Path) -> None:
    log.warning(
        "render: the print font %s is not built in %s, so PDFs embed the full system CJK "
        "font and are slower to write and larger; run `make setup` "
        "(or `.venv/bin/python -m customer_plans.render.fonts`)",
        PRINT_FAMILY, font_dir,
    )


def print_font_css() -> str:
    """``@font-face`` rules for the built print font faces; "" (and one warning) without them."""
    rules = []
    for face in PRINT_FACES:
        path = PRINT_FONT_DIR / face.file_name
        if path.is_file():
            # relative to the plan templates folder, the print document's base URL
            url = path.relative_to(PLAN_TEMPLATES_DIR).as_posix()
            rules.append(
                f'@font-face {{ font-family: "{PRINT_FAMILY}"; font-style: normal; '
                f"font-weight: {face.weight}; src: url({url}); }}"
            )
    if not rules:
        _warn_missing_print_fonts(PRINT_FONT_DIR)
    return "\n".join(rules)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m customer_plans.render.fonts",
        description=f"Build the print font {PRINT_FAMILY} from the installed {SOURCE_FAMILY}.",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("--out", type=Path, default=PRINT_FONT_DIR, metavar="DIR",
                        help=f"where to write the font files (default {PRINT_FONT_DIR})")
    args = parser.parse_args(argv)
    try:
        built = build_print_faces(args.out, force=args.force)
    except PrintFontError as error:
        print(error, file=sys.stderr)
        return 1
    if not built:
        print(f"{PRINT_FAMILY} in {args.out}: up to date")
    for face in built:
        print(f"{face.path}: {face.glyph_count} glyphs, {face.size_bytes / 1024:,.0f} KB, "
              f"{face.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
