"""HTML output: the sample release rendered in Japanese (its source), English and Arabic, read back with
the standard library's HTML parser.

The English and Arabic catalogs are made here with polib, so every review state (reviewed, machine,
changed, untranslated) and hostile translations can be set up entry by entry. tests/test_html_browser.py
reuses the helpers below for the Nu HTML Checker and Chromium.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import cldr_says as says
import polib
import pytest
from conftest import REPO

from transpub.catalogs.templates import PUBLISHER_CONTEXT, org_context
from transpub.config import load_project
from transpub.errors import ConfigError
from transpub.localize.names import Names
from transpub.localize.release import LocalizedRelease
from transpub.render.html import (
    IndexItem,
    render_language_index,
    render_release_page,
    render_root_index,
    safe_url,
    stylesheet,
)
from transpub.source.reader import parse_release, read_release

REPO = Path(__file__).resolve().parent.parent
RELEASE_ID = "2023-07-18-wipo-assemblies"
PARTNERS = "{list:KZ DE INTA EUIPO WIPO GB IN CA OAPI SA ES PT ZA CH AU IL DK MA FR VN SE IT ID}"

# --- translations of the sample release (msgid -> msgstr), in the release's reading order ------------
EN = {
    "知的財産分野における国際協力が前進しました": "International Cooperation in the Field of Intellectual Property Advanced",
    "第64回{org:WIPO:short}加盟国総会の結果": "Results of the 64th Series of Meetings of the Assemblies of the Member States of {org:WIPO:short}",
    "{date:2023-07-06}、{org:WIPO}の第64回加盟国総会が{country:CH}・ジュネーブで開幕しました。{country:JP}からは{org:JPO}の濱野幸一長官と桂正憲特許技監が代表として出席し、総会の冒頭で濱野長官が一般演説を行いました。また、この機会を活用して20を超える国・地域※の知的財産庁等と会合を重ね、知的財産分野における国際協力を前進させました。": (
        "The 64th Series of Meetings of the Assemblies of the Member States of the {org:WIPO} opened on "
        "{date:2023-07-06} in Geneva, {country:CH}. Commissioner Hamano Koichi and Deputy Commissioner Katsura "
        "Masanori of the {org:JPO} attended as representatives of {country:JP}, and Commissioner Hamano delivered "
        "a general statement at the opening of the assembly. Taking this opportunity, the office met with IP "
        "offices and other organizations from more than 20 countries and regions\\* and advanced international "
        "cooperation in the field of IP."
    ),
    "1. 加盟国総会における一般演説": "1. General statement at the General Assembly",
    "濱野長官は{country:JP}を代表して一般演説を行い、知的財産エコシステムの一層の発展と、国連の[持続可能な開発目標(SDGs)](https://sdgs.un.org/goals)の達成に向けて、{org:WIPO:short}が国際社会に貢献することへの強い期待を表明しました。演説の主な内容は次のとおりです。": (
        "Commissioner Hamano delivered a general statement on behalf of {country:JP}, expressing high hopes for "
        "{org:WIPO:short}'s contribution to the international community through the further development of the "
        "IP ecosystem and the achievement of the UN [Sustainable Development Goals (SDGs)](https://sdgs.un.org/goals). "
        "The main points of the statement were:"
    ),
    "知的財産分野において{country:JP}が世界規模で進めている取組を紹介しました。": "He introduced the global efforts of {country:JP} in the field of IP.",
    "グリーン・トランスフォーメーション(GX)に関する技術の多様な動向を分析するためのツールとして{org:JPO:short}が公表した**グリーン・トランスフォーメーション技術区分表**(GXTI)を紹介し、{org:WIPO:short}とその加盟国に活用を呼びかけました。": (
        "He introduced the **Green Transformation Technologies Inventory** (GXTI), which the {org:JPO:short} "
        "released as a tool for analyzing trends in green transformation (GX) technologies, and encouraged "
        "{org:WIPO:short} and its Member States to use it."
    ),
    "**2025年大阪・関西万博**に触れ、SDGsの達成に向けた取組の一環として、知的財産の重要性や、その活用を一層促すためのアイデアなど、知的財産に関する情報を万博の場で発信していく予定であることを説明しました。": (
        "He mentioned **Expo 2025 Osaka, Kansai** and explained that the office plans to communicate information "
        "on IP at the exposition, including the importance of IP and ideas for further facilitating its use, as "
        "part of its efforts towards the SDGs."
    ),
    "演壇に立つ話者と、会議場に並ぶ座席を描いたイラスト": "Illustration of a speaker at a podium and rows of seats in a conference hall",
    "長官による一般演説({org:WIPO:short}加盟国総会)": "The Commissioner delivering a general statement ({org:WIPO:short} General Assembly)",
    "議長席と各国代表団の席が並ぶ総会議場を描いたイラスト": "Illustration of the assembly hall with the chair's table and the seats of national delegations",
    "{org:WIPO:short}加盟国総会の様子": "A scene from the {org:WIPO:short} General Assembly",
    "2. 各国・地域の知的財産庁等との二国間会合": "2. Bilateral meetings with IP offices of other countries and regions",
    "{org:JPO:short}は、{org:WIPO:short}加盟国総会の機会を活用して、20を超える国・地域の知的財産庁等と二国間会合を行い、それぞれの相手と今後も協力関係を続けていくことを確認しました。特に、{country:JP}が議長国として{month:2023-12}に開催を予定しているG7知財庁長官会合について、G7各国に協力を要請しました。": (
        "Taking the opportunity of the {org:WIPO:short} General Assembly, the {org:JPO:short} held bilateral "
        "meetings with IP offices and other organizations from more than 20 countries and regions and confirmed "
        "with each of them that cooperation will continue. In particular, it asked the G7 countries to cooperate "
        "in the G7 Heads of IP Office Conversation that {country:JP}, holding the G7 presidency, plans to host in "
        "{month:2023-12}."
    ),
    "さらに、{country:KZ}との間で知的財産分野の協力に関する**協力覚書**に署名したほか、{country:IN}特許庁との間では、今後の知的財産協力の内容を盛り込んだ**アクションプラン**に合意しました。": (
        "Moreover, the office signed a **Memorandum of Cooperation** on IP with {country:KZ} and agreed on an "
        "**Action Plan** for future IP cooperation with the Patent Office of {country:IN}."
    ),
    "{org:JPO:short}は、今回の一連の会合で得られた成果を生かし、{country:JP}及び諸外国のユーザーが、高い予見性のもと低コストで、世界各国において特許をはじめとする知的財産権を取得できるよう、引き続き知的財産分野の国際協力を推進してまいります。": (
        "Building on the results of these meetings, the {org:JPO:short} will continue to promote international "
        "cooperation in the field of IP so that users in {country:JP} and abroad can acquire patents and other IP "
        "rights worldwide with high predictability and at low cost."
    ),
    f"※二国間会合の相手方：{PARTNERS}(会合順)": f"\\*Bilateral meeting partners (in the order of the meetings): {PARTNERS}",
    "報道発表": "Press Releases",
    "特許庁総務部国際政策課": "International Policy Division, Policy Planning and Coordination Department, Japan Patent Office",
    "WIPO加盟国総会(WIPOウェブサイト)": "WIPO Assemblies of Member States (WIPO website)",
}

AR = dict(
    zip(
        EN,
        [
            "تقدّم التعاون الدولي في مجال الملكية الفكرية",
            "نتائج الدورة الرابعة والستين لجمعيات الدول الأعضاء في {org:WIPO:short}",
            "افتُتحت في {date:2023-07-06} الدورة الرابعة والستون لجمعيات الدول الأعضاء في {org:WIPO} في جنيف، "
            "{country:CH}. ومثّل {country:JP} السيد هامانو كويتشي، مفوض {org:JPO}، والسيد كاتسورا ماسانوري، نائب "
            "المفوض، وألقى المفوض هامانو بيانًا عامًا في افتتاح الجمعية. واغتنم المكتب هذه الفرصة لعقد اجتماعات مع "
            "مكاتب الملكية الفكرية وغيرها من الجهات من أكثر من عشرين بلدًا ومنطقة\\*، فدفع التعاون الدولي في مجال "
            "الملكية الفكرية قُدمًا.",
            "1. البيان العام أمام الجمعية العامة",
            "ألقى المفوض هامانو بيانًا عامًا باسم {country:JP}، أعرب فيه عن أمله الكبير في أن تسهم {org:WIPO:short} "
            "في خدمة المجتمع الدولي من خلال مواصلة تطوير منظومة الملكية الفكرية وتحقيق "
            "[أهداف الأمم المتحدة للتنمية المستدامة](https://sdgs.un.org/goals). وفيما يلي أبرز ما جاء في البيان:",
            "عرض الجهود التي تبذلها {country:JP} على الصعيد العالمي في مجال الملكية الفكرية.",
            "عرض **قائمة تقنيات التحول الأخضر** (GXTI) التي نشرها {org:JPO:short} أداةً لتحليل الاتجاهات المتنوعة "
            "في تقنيات التحول الأخضر (GX)، ودعا {org:WIPO:short} ودولها الأعضاء إلى الاستفادة منها.",
            "أشار إلى **معرض إكسبو 2025 أوساكا، كانساي**، وأوضح أن المكتب يعتزم التعريف بالملكية الفكرية خلال "
            "المعرض، بما في ذلك أهميتها والأفكار الرامية إلى تعزيز الانتفاع بها، ضمن الجهود المبذولة لتحقيق أهداف "
            "التنمية المستدامة.",
            "رسم توضيحي لمتحدث على المنصة ومقاعد قاعة الاجتماعات",
            "المفوض يلقي بيانًا عامًا أمام جمعيات {org:WIPO:short}",
            "رسم توضيحي لقاعة الجمعية بمنصة الرئاسة ومقاعد الوفود",
            "مشهد من جمعيات {org:WIPO:short}",
            "2. الاجتماعات الثنائية مع مكاتب الملكية الفكرية في البلدان والمناطق",
            "اغتنم {org:JPO:short} فرصة انعقاد جمعيات {org:WIPO:short} لعقد اجتماعات ثنائية مع مكاتب الملكية الفكرية "
            "وغيرها من الجهات من أكثر من عشرين بلدًا ومنطقة، وأكّد مع كل منها مواصلة علاقات التعاون. وطلب بوجه خاص "
            "من دول مجموعة السبع التعاون في اجتماع رؤساء مكاتب الملكية الفكرية لمجموعة السبع المقرر عقده في "
            "{month:2023-12}، والذي تستضيفه {country:JP} بصفتها رئيسة المجموعة.",
            "ووقّع المكتب كذلك **مذكرة تعاون** مع {country:KZ} في مجال الملكية الفكرية، واتفق مع مكتب براءات "
            "الاختراع في {country:IN} على **خطة عمل** تتضمن مجالات التعاون المقبلة في الملكية الفكرية.",
            "وسيواصل {org:JPO:short}، مستفيدًا مما حققته هذه الاجتماعات، تعزيز التعاون الدولي في مجال الملكية "
            "الفكرية، كي يتمكن المستخدمون في {country:JP} وفي البلدان الأخرى من الحصول على البراءات وغيرها من حقوق "
            "الملكية الفكرية في أنحاء العالم بدرجة عالية من القدرة على التنبؤ وبتكلفة منخفضة.",
            f"\\*الجهات التي عُقدت معها اجتماعات ثنائية (حسب ترتيب انعقادها): {PARTNERS}",
            "البيانات الصحفية",
            "شعبة السياسات الدولية، إدارة التخطيط والتنسيق، مكتب اليابان للبراءات",
            "جمعيات الدول الأعضاء في الويبو (موقع الويبو)",
        ],
    )
)

NAMES = {
    # (context, source name): (English, Arabic)
    (PUBLISHER_CONTEXT, "特許庁"): ("Japan Patent Office", "مكتب اليابان للبراءات"),
    (org_context("JPO"), "特許庁"): ("Japan Patent Office", "مكتب اليابان للبراءات"),
    (org_context("JPO", short=True), "特許庁"): ("JPO", "المكتب"),
    (org_context("WIPO"), "世界知的所有権機関"): ("World Intellectual Property Organization", "المنظمة العالمية للملكية الفكرية"),
    (org_context("WIPO", short=True), "WIPO"): ("WIPO", "الويبو"),
    (org_context("INTA"), "国際商標協会"): ("International Trademark Association", "الرابطة الدولية للعلامات التجارية"),
    (org_context("INTA", short=True), "INTA"): ("INTA", "INTA"),
    (org_context("EUIPO"), "欧州連合知的財産庁"): ("European Union Intellectual Property Office", "مكتب الاتحاد الأوروبي للملكية الفكرية"),
    (org_context("EUIPO", short=True), "EUIPO"): ("EUIPO", "EUIPO"),
    (org_context("OAPI"), "アフリカ知的財産機関"): ("African Intellectual Property Organization", "المنظمة الأفريقية للملكية الفكرية"),
    (org_context("OAPI", short=True), "OAPI"): ("OAPI", "OAPI"),
}

# The partner list of the sample: country names are CLDR's (asked of Babel), except the overrides in the
# sample's transpub.toml [names.en]; organization names are the translations made above.
PARTNER_CODES = PARTNERS.removeprefix("{list:").removesuffix("}").split()
EN_OVERRIDES = {"VN": "Viet Nam", "MA": "Kingdom of Morocco"}
EN_ORGS = {
    "INTA": "International Trademark Association (INTA)",
    "EUIPO": "European Union Intellectual Property Office (EUIPO)",
    "WIPO": "World Intellectual Property Organization (WIPO)",
    "OAPI": "African Intellectual Property Organization (OAPI)",
}
JA_ORGS = {"INTA": "国際商標協会(INTA)", "EUIPO": "欧州連合知的財産庁(EUIPO)", "WIPO": "世界知的所有権機関(WIPO)", "OAPI": "アフリカ知的財産機関(OAPI)"}


def partner_list(lang: str, orgs: dict[str, str], overrides: dict[str, str] | None = None) -> str:
    names = [orgs.get(code) or (overrides or {}).get(code) or says.country(code, lang) for code in PARTNER_CODES]
    return says.listed(names, lang)


EN_PARTNERS = partner_list("en", EN_ORGS, EN_OVERRIDES)
JA_PARTNERS = partner_list("ja", JA_ORGS)
VERSIONS = {lang: f"{lang}/{RELEASE_ID}.html" for lang in ("ja", "en", "ar")}


# --- building blocks (also used by test_html_browser.py) --------------------------------------------
@cache
def sample_project():
    return load_project(REPO)


@cache
def sample_release():
    project = sample_project()
    return read_release(project.sources_dir / f"{RELEASE_ID}.md", project)


def make_catalog(lang: str, translations: dict[str, str], states: dict[str, str] | None = None) -> polib.POFile:
    """A catalog of ``translations``; ``states`` maps a msgid to "machine", "changed" or "untranslated"."""
    po = polib.POFile()
    po.metadata = {"Language": lang, "Content-Type": "text/plain; charset=UTF-8", "MIME-Version": "1.0"}
    for msgid, msgstr in translations.items():
        state = (states or {}).get(msgid, "reviewed")
        entry = polib.POEntry(msgid=msgid, msgstr="" if state == "untranslated" else msgstr)
        if state in ("machine", "changed"):
            entry.flags.append("fuzzy")
        if state == "changed":
            entry.previous_msgid = msgid + " (old)"
        po.append(entry)
    return po


def make_names(lang: str) -> Names:
    column = {"en": 0, "ar": 1}[lang]
    return Names({key: polib.POEntry(msgctxt=key[0], msgid=key[1], msgstr=value[column]) for key, value in NAMES.items()})


def localized(lang: str, *, draft: bool = False, translations: dict[str, str] | None = None, states=None, release=None):
    project, release = sample_project(), release or sample_release()
    if lang == project.source_lang:
        return LocalizedRelease(project, release, lang, draft=draft)
    table = translations if translations is not None else {"en": EN, "ar": AR}[lang]
    names = make_names(lang) if lang in ("en", "ar") else Names()
    return LocalizedRelease(project, release, lang, catalog=make_catalog(lang, table, states), names=names, draft=draft)


def page(loc: LocalizedRelease, *, page_path: str | None = None, versions=VERSIONS, templates_dir=None) -> str:
    return render_release_page(
        loc, page_path=page_path or f"{loc.lang}/{RELEASE_ID}.html", versions=versions, templates_dir=templates_dir
    )


def write_site(outputs: Path, pages: dict[str, str]) -> None:
    """Write pages (path -> HTML) under outputs/ the way build does: stylesheet, images next to the pages."""
    for path, html in pages.items():
        target = outputs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        images = target.parent / "images"
        if not images.exists():
            shutil.copytree(REPO / "sources" / "images", images)
    (outputs / "static").mkdir(parents=True, exist_ok=True)
    (outputs / "static" / "transpub.css").write_text(stylesheet(None), encoding="utf-8")


# --- a small DOM from html.parser, strict about nesting -------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None" = None
    children: list["Element | str"] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list["Element"]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and all(e.attrs.get(name.rstrip("_").replace("_", "-")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> "Element":
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.doctype = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute in <{tag} {attrs}>"
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        assert tag not in VOID, f"end tag for void element </{tag}>"
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def hreflang_links(doc: Element) -> list[Element]:
    """The page's language versions (``<link rel="alternate" hreflang>``; a feed's link has no hreflang)."""
    return [link for link in doc.find_all("link", rel="alternate") if "hreflang" in link.attrs]


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> never closed"
    assert builder.doctype and builder.doctype.lower() == "doctype html"
    return builder.root


def squash(text: str) -> str:
    return " ".join(text.split())


def breadcrumb(doc: Element) -> list[str]:
    return [squash(li.text) for li in doc.find("nav", cls="breadcrumb").find_all("li")]


# --- the page in the source language (ja) and in English --------------------------------------------
def test_japanese_page_has_language_date_breadcrumb_and_links():
    doc = parse(page(localized("ja")))
    html = doc.find("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == ("ja", "ltr")
    assert doc.find("meta", charset="utf-8")
    assert doc.find("meta", name="viewport")
    assert doc.find("time").attrs["datetime"] == "2023-07-18"
    assert doc.find("time").text == says.long_date("2023-07-18", "ja")
    assert breadcrumb(doc) == ["ホーム", "報道発表", says.month_of_year(2023, 7, "ja"), "知的財産分野における国際協力が前進しました"]
    assert doc.find("link", rel="stylesheet").attrs["href"] == "../static/transpub.css"
    assert squash(doc.find("p", cls="publisher").text) == "特許庁"


def test_english_page_is_localized():
    doc = parse(page(localized("en")))
    html = doc.find("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == ("en", "ltr")
    assert doc.find("time").text == says.long_date("2023-07-18", "en")
    # the crumb leading to the index has the index's own label; the release's section is its article:section
    assert breadcrumb(doc) == ["Home", "News Releases", says.month_of_year(2023, 7, "en"), EN["知的財産分野における国際協力が前進しました"]]
    assert doc.find("meta", property="article:section").attrs["content"] == "Press Releases"
    assert doc.find("h1").text == "International Cooperation in the Field of Intellectual Property Advanced"
    assert doc.find("p", cls="subtitle").text.endswith("Member States of WIPO")
    assert doc.find("title").text == "International Cooperation in the Field of Intellectual Property Advanced | Japan Patent Office"
    assert squash(doc.find("p", cls="publisher").text) == "Japan Patent Office"
    division = doc.find("section", cls="division")
    assert division.find("h2").text == "Division in Charge"
    assert "International Policy Division" in division.find("p").text
    related = doc.find("section", cls="related")
    assert related.find("h2").text == "Related website"
    link = related.find("a")
    assert (link.attrs["href"], link.text) == ("https://www.wipo.int/about-wipo/en/assemblies/", "WIPO Assemblies of Member States (WIPO website)")
    body = squash(doc.find("div", cls="release-body").text)
    assert f"opened on {says.long_date('2023-07-06', 'en')} in Geneva, {says.country('CH', 'en')}" in body
    assert f"plans to host in {says.month_of_year(2023, 12, 'en')}" in body


def test_hreflang_alternates_canonical_and_language_switcher():
    doc = parse(page(localized("en")))
    base = "https://www.example.go.jp/news/"
    assert doc.find("link", rel="canonical").attrs["href"] == f"{base}en/{RELEASE_ID}.html"
    alternates = {link.attrs["hreflang"]: link.attrs["href"] for link in hreflang_links(doc)}
    # x-default: the source-language version, the original
    assert alternates == {**{lang: f"{base}{lang}/{RELEASE_ID}.html" for lang in ("ja", "en", "ar")}, "x-default": f"{base}ja/{RELEASE_ID}.html"}

    # build may leave the page itself out of versions: a published page still names itself
    others = {lang: path for lang, path in VERSIONS.items() if lang != "en"}
    again = parse(page(localized("en"), versions=others))
    assert {link.attrs["hreflang"] for link in hreflang_links(again)} == {"ja", "en", "ar", "x-default"}
    draft = parse(page(localized("en", draft=True), page_path=f"drafts/en/{RELEASE_ID}.html", versions=others))
    assert {link.attrs["hreflang"] for link in hreflang_links(draft)} == {"ja", "ar", "x-default"}

    switcher = doc.find("nav", cls="languages")
    assert switcher.attrs["aria-label"] == "Languages"
    links = switcher.find_all("a")
    assert [(a.text, a.attrs["lang"], a.attrs["hreflang"], a.attrs["href"]) for a in links] == [
        (says.autonym("ja"), "ja", "ja", f"../ja/{RELEASE_ID}.html"),
        (says.autonym("ar"), "ar", "ar", f"../ar/{RELEASE_ID}.html"),
    ]
    assert links[1].attrs["dir"] == "rtl"
    current = switcher.find("span", aria_current="true")
    assert (current.text, current.attrs["lang"]) == (says.autonym("en"), "en")


def test_no_base_url_means_no_absolute_links():
    project = sample_project()
    loc = LocalizedRelease(replace(project, base_url=None), sample_release(), "ja")
    doc = parse(page(loc))
    assert not doc.find_all("link", rel="canonical")
    assert not doc.find_all("link", rel="alternate")
    assert doc.find("nav", cls="languages")  # the switcher is relative and stays


def test_arabic_page_is_right_to_left():
    doc = parse(page(localized("ar")))
    html = doc.find("html")
    assert (html.attrs["lang"], html.attrs["dir"]) == ("ar", "rtl")
    assert doc.find("h1").text == "تقدّم التعاون الدولي في مجال الملكية الفكرية"
    assert doc.find("time").text == says.long_date("2023-07-18", "ar")
    assert breadcrumb(doc)[0] == "الصفحة الرئيسية"


def test_chinese_tag_is_bcp47_and_fallback_text_keeps_its_language():
    loc = LocalizedRelease(sample_project(), sample_release(), "zh_Hans")  # no catalog: all source text
    doc = parse(page(loc))
    assert doc.find("html").attrs["lang"] == "zh-Hans"
    title = doc.find("h1").find("span")
    assert title.attrs == {"lang": "ja"}  # not a draft: no marks, only the language of the text
    assert doc.find("time").text == says.long_date("2023-07-18", "zh_Hans")


def test_partner_list_in_order():
    en = squash(parse(page(localized("en"))).find("div", cls="release-body").text)
    assert f"Bilateral meeting partners (in the order of the meetings): {EN_PARTNERS}" in en
    assert "*Bilateral" in en  # the escaped asterisk is a literal one
    ja = parse(page(localized("ja"))).find("div", cls="release-body").text
    assert f"※二国間会合の相手方：{JA_PARTNERS}(会合順)" in ja


def test_headings_images_and_lists_of_the_sample():
    doc = parse(page(localized("en")))
    assert len(doc.find_all("h1")) == 1
    body = doc.find("div", cls="release-body")
    # the sample's sections are '###' in Markdown: the shallowest body level becomes h2
    assert [h.text for h in body.find_all("h2")] == [
        "1. General statement at the General Assembly",
        "2. Bilateral meetings with IP offices of other countries and regions",
    ]
    assert not body.find_all("h3")
    figures = body.find_all("figure")
    assert [f.find("img").attrs["src"] for f in figures] == ["images/statement.png", "images/assembly.png"]
    assert figures[0].find("img").attrs["alt"].startswith("Illustration of a speaker")
    assert figures[0].find("figcaption").text == "The Commissioner delivering a general statement (WIPO General Assembly)"
    items = body.find("ul").find_all("li")
    assert len(items) == 3 and items[1].find("strong").text == "Green Transformation Technologies Inventory"
    sdgs = body.find("a", href="https://sdgs.un.org/goals")
    assert sdgs.text == "Sustainable Development Goals (SDGs)"


def test_every_block_kind():
    text = """---
date: 2024-01-05
---

# Title *with* emphasis

## Subtitle

Intro with `code`, a [mail](mailto:press@example.org), a [relative link](other.html) and a line\\
break.

## Section

### Sub-section

##### Deep section

3. third
4. fourth
   - nested *one*
   - nested two

> quoted text
>
> second quoted paragraph

| left | centre | right | none |
|:-----|:------:|------:|------|
| a    | b      | c     |      |

```python
print("<b>")
```

---
"""
    project = sample_project()
    release = parse_release(text, "2024-01-05-blocks", project.sources_dir / "2024-01-05-blocks.md", project)
    doc = parse(page(localized("ja", release=release), page_path="ja/2024-01-05-blocks.html"))
    body = doc.find("div", cls="release-body")
    assert doc.find("h1").find("em").text == "with"
    assert doc.find("p", cls="subtitle").text == "Subtitle"
    # '##', '###', '#####' rank as h2, h3, h4: no skipped level
    assert [(h.tag, h.text) for h in body.iter() if h.tag in ("h2", "h3", "h4", "h5", "h6")] == [
        ("h2", "Section"),
        ("h3", "Sub-section"),
        ("h4", "Deep section"),
    ]
    intro = body.find("p")
    assert intro.find("code").text == "code"
    assert intro.find("a").attrs == {"href": "mailto:press@example.org"}
    assert len(intro.find_all("a")) == 1 and "relative link" in intro.text  # not http(s)/mailto: text only
    assert intro.find_all("br")
    ol = body.find("ol")
    assert ol.attrs["start"] == "3"
    assert [squash(li.children[0]) for li in ol.find_all("li") if li.parent is ol] == ["third", "fourth"]
    nested = ol.find("ul")
    assert nested.parent.tag == "li" and [li.text for li in nested.find_all("li")] == ["nested one", "nested two"]
    quote = body.find("blockquote")
    assert [p.text for p in quote.find_all("p")] == ["quoted text", "second quoted paragraph"]
    table = body.find("table")
    assert [(th.text, th.attrs.get("class")) for th in table.find("thead").find_all("th")] == [
        ("left", "align-start"),
        ("centre", "align-center"),
        ("right", "align-end"),
        ("none", None),
    ]
    assert [td.text for td in table.find("tbody").find_all("td")] == ["a", "b", "c", ""]
    assert body.find("pre").attrs == {"dir": "ltr"}  # code reads left to right on a mirrored page too
    code = body.find("pre").find("code")
    assert code.attrs["class"] == "language-python" and code.text == 'print("<b>")\n'
    assert body.find_all("hr")


# --- nothing a translator types becomes markup ---------------------------------------------------------
HOSTILE = {
    "title": "<script>alert(1)</script> {{ 7*7 }} {% raw %}x{% endraw %}",
    "paragraph": "Click [here](javascript:alert(1)) or <img src=x onerror=alert(1)> \u202eevil\u202c text &amp; {{ 7*7 }}",
    "alt": 'alt" onerror="alert(1)',
    "section": "</a><script>alert(2)</script>",
    "related": "<b>bold</b>",
    "division": "<iframe src=//evil></iframe>",
}


def hostile_page(draft: bool = False) -> str:
    translations = dict(EN)
    sources = list(EN)
    translations[sources[0]] = HOSTILE["title"]
    translations[sources[2]] = HOSTILE["paragraph"]
    translations[sources[8]] = HOSTILE["alt"]
    translations["報道発表"] = HOSTILE["section"]
    translations["WIPO加盟国総会(WIPOウェブサイト)"] = HOSTILE["related"]
    translations["特許庁総務部国際政策課"] = HOSTILE["division"]
    return page(localized("en", translations=translations, draft=draft, states={sources[2]: "machine"}))


@pytest.mark.parametrize("draft", [False, True])
def test_hostile_translations_stay_text(draft):
    html = hostile_page(draft)
    doc = parse(html)
    tags = {e.tag for e in doc.iter()}
    assert not tags & {"script", "iframe", "b"}
    assert [e for e in doc.find_all("img") if "onerror" in e.attrs] == []
    assert all(not (e.attrs.get("href") or "").lower().startswith("javascript") for e in doc.iter())
    assert "\u202e" not in html and "\u202c" not in html
    assert "49" not in html
    assert html.count("{{ 7*7 }}") >= 2  # title (in <title>, breadcrumb and h1) and paragraph: literal
    assert "{% raw %}x{% endraw %}" in doc.find("h1").text
    assert doc.find("h1").text == HOSTILE["title"]
    paragraph = doc.find("div", cls="release-body").find("p")
    # markdown-it refuses the javascript: link, so it stays as typed: text, not a link
    assert paragraph.text == "Click [here](javascript:alert(1)) or <img src=x onerror=alert(1)> evil text & {{ 7*7 }}"
    assert not paragraph.find_all("a")
    img = doc.find("figure").find("img")
    assert img.attrs["alt"] == HOSTILE["alt"]
    assert doc.find("meta", property="article:section").attrs["content"] == HOSTILE["section"]
    assert doc.find("section", cls="related").find("a").text == "<b>bold</b>"
    assert doc.find("section", cls="division").find("p").text == HOSTILE["division"]


def test_hostile_names_stay_text():
    names = make_names("en")
    hostile = {**names.entries}
    key = (PUBLISHER_CONTEXT, "特許庁")
    hostile[key] = polib.POEntry(msgctxt=key[0], msgid=key[1], msgstr="<script>alert(1)</script>{{ 7*7 }}")
    key = (org_context("WIPO", short=True), "WIPO")
    hostile[key] = polib.POEntry(msgctxt=key[0], msgid=key[1], msgstr='<a href="javascript:x">W</a>')
    loc = LocalizedRelease(sample_project(), sample_release(), "en", catalog=make_catalog("en", EN), names=Names(hostile))
    html = page(loc)
    doc = parse(html)
    assert not doc.find_all("script")
    assert squash(doc.find("p", cls="publisher").text) == "<script>alert(1)</script>{{ 7*7 }}"
    assert doc.find("title").text.endswith("| <script>alert(1)</script>{{ 7*7 }}")
    assert '<a href="javascript:x">W</a>' in doc.find("p", cls="subtitle").text
    assert all(not (a.attrs.get("href") or "").startswith("javascript") for a in doc.find_all("a"))


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://www.wipo.int/", True),
        ("http://example.org/a?b=c#d", True),
        ("mailto:press@example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/", False),
        ("other.html", False),
        ("https:///no-host", False),
        ("https://example.org/\u202egnp.exe", False),
    ],
)
def test_only_http_https_and_mailto_become_links(url, allowed):
    assert (safe_url(url) is not None) is allowed


def test_related_link_with_unsafe_url_is_text():
    release = sample_release()
    unsafe = replace(release, related=(replace(release.related[0], url="javascript:alert(1)"),))
    related = parse(page(localized("en", release=unsafe))).find("section", cls="related")
    assert not related.find_all("a") and "WIPO website" in related.text


# --- drafts ------------------------------------------------------------------------------------------
def draft_states() -> dict[str, str]:
    sources = list(EN)
    return {sources[0]: "machine", sources[3]: "changed", sources[5]: "untranslated", sources[8]: "machine"}


def test_draft_marks_unreviewed_and_untranslated_segments():
    doc = parse(page(localized("en", draft=True, states=draft_states()), page_path=f"drafts/en/{RELEASE_ID}.html"))
    sources = list(EN)
    banner = doc.find("div", cls="draft-banner")
    assert banner.text == "Machine translation — not reviewed"
    assert doc.find("meta", name="robots").attrs["content"] == "noindex"
    assert doc.find("link", rel="stylesheet").attrs["href"] == "../../static/transpub.css"

    unreviewed = doc.find_all(cls="unreviewed")
    # title (h1 and breadcrumb), heading 1, and the image whose alt text is machine-translated
    assert [(e.tag, e.parent.tag) for e in unreviewed] == [("span", "span"), ("span", "h1"), ("span", "h2"), ("img", "figure")]
    assert unreviewed[1].attrs["title"] == f"Not reviewed. Source text: {sources[0]}"
    assert unreviewed[2].attrs["title"] == f"Not reviewed. Source text: {sources[3]}"
    assert unreviewed[3].attrs["title"] == f"Not reviewed. Source text: {sources[8]}"

    untranslated = doc.find("span", cls="untranslated")
    assert untranslated.attrs["lang"] == "ja"
    assert untranslated.attrs["title"] == "Not translated yet; shown in the source language."
    assert untranslated.text == "知的財産分野において日本が世界規模で進めている取組を紹介しました。"
    assert untranslated.parent.tag == "li"


def test_no_draft_marks_outside_drafts():
    html = page(localized("en", draft=False, states=draft_states()))
    doc = parse(html)
    assert not doc.find_all(cls="draft-banner")
    assert not doc.find_all(cls="unreviewed") and not doc.find_all(cls="untranslated")
    assert not doc.find_all("meta", name="robots")
    assert "Not reviewed" not in html


def test_title_attribute_escapes_the_source_text():
    project = sample_project()
    text = '---\ndate: 2024-01-05\n---\n\n# A "quoted" <title> & more\n'
    release = parse_release(text, "x", project.sources_dir / "x.md", project)
    loc = LocalizedRelease(
        project, release, "en", catalog=make_catalog("en", {release.title.source: "T"}, {release.title.source: "machine"}), draft=True
    )
    doc = parse(page(loc))
    assert doc.find("h1").find("span").attrs["title"] == 'Not reviewed. Source text: A "quoted" \\<title> & more'


# --- index pages -----------------------------------------------------------------------------------
def index_items() -> list[IndexItem]:
    return [
        IndexItem("2023-06-02-a", "June release", dt.date(2023, 6, 2), "2023-06-02-a.html"),
        IndexItem(RELEASE_ID, "International <Cooperation>", dt.date(2023, 7, 18), f"{RELEASE_ID}.html"),
        IndexItem("2023-07-03-b", "Early July", dt.date(2023, 7, 3), "2023-07-03-b.html"),
        IndexItem("2022-12-24-c", "Last year", dt.date(2022, 12, 24), "2022-12-24-c.html"),
    ]


def test_language_index_newest_first_by_month():
    languages = {"ja": "ja/index.html", "en": "en/index.html"}
    doc = parse(render_language_index(sample_project(), "en", index_items(), page_path="en/index.html", languages=languages))
    assert doc.find("html").attrs["lang"] == "en"
    assert doc.find("h1").text == "News Releases"
    months = doc.find_all("section", cls="month")
    assert [(m.find("h2").attrs["id"], m.find("h2").text) for m in months] == [
        ("2023-07", says.month_of_year(2023, 7, "en")),
        ("2023-06", says.month_of_year(2023, 6, "en")),
        ("2022-12", says.month_of_year(2022, 12, "en")),
    ]
    july = months[0].find_all("li")
    assert [squash(li.text) for li in july] == [
        f"{says.long_date('2023-07-18', 'en')} International <Cooperation>",
        f"{says.long_date('2023-07-03', 'en')} Early July",
    ]
    assert july[0].find("a").attrs["href"] == f"{RELEASE_ID}.html"
    assert july[0].find("time").attrs["datetime"] == "2023-07-18"
    assert doc.find("nav", cls="languages").find("a").attrs == {"href": "../ja/index.html", "lang": "ja", "dir": "ltr", "hreflang": "ja"}
    assert breadcrumb(doc) == ["Home", "News Releases"]


def test_language_index_in_japanese():
    doc = parse(render_language_index(sample_project(), "ja", index_items(), page_path="ja/index.html", languages={}))
    assert [h.text for h in doc.find_all("h2")] == [says.month_of_year(y, m, "ja") for y, m in ((2023, 7), (2023, 6), (2022, 12))]
    assert not doc.find_all("nav", cls="languages")  # one language: nothing to switch to


def test_root_index_names_each_language_in_itself():
    languages = {"en": "en/index.html", "ja": "ja/index.html", "ar": "ar/index.html"}
    doc = parse(render_root_index(sample_project(), languages))
    choices = doc.find("ul", cls="language-choice").find_all("a")
    assert [(a.find("span", cls="language-name").text, a.attrs["lang"], a.attrs["href"]) for a in choices] == [
        (says.autonym("ja"), "ja", "ja/index.html"),
        (says.autonym("en"), "en", "en/index.html"),
        (says.autonym("ar"), "ar", "ar/index.html"),
    ]
    assert choices[1].find("span", cls="language-hint").text == "News Releases"
    assert choices[2].attrs["dir"] == "rtl"
    # the root index is the language indexes' x-default, and its own
    assert {link.attrs["hreflang"]: link.attrs["href"] for link in doc.find_all("link", rel="alternate")} == {
        "ja": "https://www.example.go.jp/news/ja/index.html",
        "en": "https://www.example.go.jp/news/en/index.html",
        "ar": "https://www.example.go.jp/news/ar/index.html",
        "x-default": "https://www.example.go.jp/news/index.html",
    }


# --- templates and stylesheet ---------------------------------------------------------------------------
def test_stylesheet_packaged_and_overridden(tmp_path):
    css = stylesheet(None)
    for needle in (":lang(ja)", "Noto Sans CJK JP", "Hiragino", "Yu Gothic", "Meiryo", "Noto Naskh Arabic", "Tahoma", "margin-inline"):
        assert needle in css
    assert "margin-left" not in css and "padding-right" not in css  # logical properties only: RTL mirrors
    (tmp_path / "transpub.css").write_text("body { color: red }", encoding="utf-8")
    assert stylesheet(tmp_path) == "body { color: red }"


def test_project_template_overrides_a_block(tmp_path):
    (tmp_path / "release.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block main %}<h1>{{ title }}</h1><p class="custom">{{ release.id }}</p>{% endblock %}',
        encoding="utf-8",
    )
    doc = parse(page(localized("ja"), templates_dir=tmp_path))
    assert doc.find("p", cls="custom").text == RELEASE_ID
    assert doc.find("nav", cls="languages")  # the packaged base template still frames it


@pytest.mark.parametrize(
    "template",
    [
        '{% include "../../etc/passwd" %}',  # the loader refuses to leave templates/
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",  # the sandbox refuses Python internals
        "{{ no_such_variable }}",  # StrictUndefined: a typo is an error, not an empty string
    ],
)
def test_project_templates_cannot_escape(tmp_path, template):
    (tmp_path / "release.html.j2").write_text(template, encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        page(localized("ja"), templates_dir=tmp_path)
    assert "template" in str(failure.value)


# --- compiled templates kept between runs ---------------------------------------------------------
_COUNT_COMPILES = (
    "import sys, jinja2\n"
    "from transpub.cli import main\n"
    "compiled = []\n"
    "real = jinja2.Environment._parse\n"
    "jinja2.Environment._parse = lambda self, source, name, filename: compiled.append(name) or real(self, source, name, filename)\n"
    "try:\n"
    "    main(['-C', sys.argv[1], 'build', '--lang', 'en', '--format', 'html'])\n"
    "except SystemExit as exc:\n"
    "    assert not exc.code, exc.code\n"
    "print(sorted(compiled))\n"
)


def _compiled_templates(project: Path, cache: Path, **env: str) -> list[str]:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), **env}
    result = subprocess.run([sys.executable, "-c", _COUNT_COMPILES, str(project)], capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr
    shutil.rmtree(project / "outputs")  # every run renders every page again
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_templates_are_compiled_once_and_again_when_they_change(sample_project: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    first = _compiled_templates(sample_project, cache)
    assert "release.html.j2" in first and "base.html.j2" in first
    assert _compiled_templates(sample_project, cache) == []  # the next run loads them compiled
    (folder,) = (cache / "transpub").iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700
    base = sample_project / "templates" / "base.html.j2"
    base.parent.mkdir(exist_ok=True)
    base.write_text((REPO / "src/transpub/templates/base.html.j2").read_text(encoding="utf-8"), encoding="utf-8")
    assert _compiled_templates(sample_project, cache) == ["base.html.j2"]  # the project's own: another file
    assert _compiled_templates(sample_project, cache) == []
    base.write_text(base.read_text(encoding="utf-8").replace("<body", "<body data-edited"), encoding="utf-8")
    assert _compiled_templates(sample_project, cache) == ["base.html.j2"]  # changed: compiled again
    build = subprocess.run(
        [sys.executable, "-m", "transpub.cli", "-C", str(sample_project), "build", "--lang", "en", "--format", "html"],
        capture_output=True, text=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    assert build.returncode == 0, build.stderr
    assert "<body data-edited" in (sample_project / "outputs/en/index.html").read_text(encoding="utf-8")  # not the stale one


def test_an_unsafe_or_unusable_cache_folder_only_means_compiling_every_time(sample_project: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    assert _compiled_templates(sample_project, cache)
    (folder,) = (cache / "transpub").iterdir()
    folder.chmod(0o777)  # what it holds is run as code: a folder anyone may write to is not used
    assert "release.html.j2" in _compiled_templates(sample_project, cache)
    assert "release.html.j2" in _compiled_templates(sample_project, cache)
    shutil.rmtree(cache / "transpub")
    (cache / "transpub").write_text("not a folder", encoding="utf-8")  # cannot be made: no error either
    assert "release.html.j2" in _compiled_templates(sample_project, cache)
    assert "release.html.j2" in _compiled_templates(sample_project, tmp_path / "other", TRANSPUB_NO_CACHE="1")
    assert not (tmp_path / "other").exists()


def test_the_quick_look_of_plain_text_finds_every_code_point_it_could_remove():
    """plain_text first asks one pattern whether a text needs cleaning: it must find every code point the
    removing patterns remove, and every astral one (where the astral noncharacters are looked for)."""
    from transpub.render import html

    every = "".join(map(chr, range(0x110000)))
    needed = set(html._FORBIDDEN.findall(every)) | set(html._ASTRAL.findall(every))
    assert set(html._REMOVABLE_OR_ASTRAL.findall(every)) == needed
