"""transpub's interface words ("Home", "Division in Charge", the draft banner…) and their built-in translations.

These are transpub's own strings, not the organization's. Nine languages have them built in (below).
Any other target language gets them as entries of its names.po, with the context ``ui:<key>`` (see
:func:`transpub.catalogs.templates.names_template`), translated and reviewed like the names there; the
msgid is the source language's built-in word, or the English one when the source language has none.

They live in the catalogs layer because names.pot is made from them; :mod:`transpub.localize.ui` reads
them to render pages.
"""

from __future__ import annotations

from babel import Locale

UI_KEYS = (
    "home",
    "news_releases",
    "division_in_charge",
    "related_website",
    "related_websites",
    "draft_banner",
    "unreviewed",
    "untranslated",
    "languages",
    "choose_language",
    "published",
    "breadcrumb",
    "word_document",
    "outdated",  # the notice on a published translation whose original changed ([publish] outdated = "mark")
)

UI_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "news_releases": "News Releases",
        "division_in_charge": "Division in Charge",
        "related_website": "Related website",
        "related_websites": "Related websites",
        "draft_banner": "Machine translation — not reviewed",
        "unreviewed": "Not reviewed. Source text:",
        "untranslated": "Not translated yet; shown in the source language.",
        "languages": "Languages",
        "choose_language": "Choose a language",
        "published": "Published",
        "breadcrumb": "You are here",  # the breadcrumb's label for screen readers
        "word_document": "Word document (DOCX)",
        "outdated": "The original of this page has been updated since this translation was published. The current original:",
    },
    "ja": {
        "home": "ホーム",
        "news_releases": "報道発表",
        "division_in_charge": "担当課",
        "related_website": "関連リンク",
        "related_websites": "関連リンク",
        "draft_banner": "機械翻訳 — 未確認",
        "unreviewed": "未確認の翻訳です。原文:",
        "untranslated": "未翻訳のため原文を表示しています。",
        "languages": "言語",
        "choose_language": "言語を選択してください",
        "published": "公表日",
        "breadcrumb": "現在位置",
        "word_document": "Word 文書（DOCX）",
        "outdated": "この翻訳の公表後に原文が更新されました。最新の原文：",
    },
    "fr": {
        "home": "Accueil",
        "news_releases": "Communiqués de presse",
        "division_in_charge": "Service responsable",
        "related_website": "Site web associé",
        "related_websites": "Sites web associés",
        "draft_banner": "Traduction automatique — non relue",
        "unreviewed": "Traduction non relue. Texte source :",
        "untranslated": "Pas encore traduit ; affiché dans la langue source.",
        "languages": "Langues",
        "choose_language": "Choisissez une langue",
        "published": "Publié le",
        "breadcrumb": "Vous êtes ici",
        "word_document": "Document Word (DOCX)",
        "outdated": "L’original de cette page a été mis à jour depuis la publication de cette traduction. L’original à jour :",
    },
    "de": {
        "home": "Startseite",
        "news_releases": "Pressemitteilungen",
        "division_in_charge": "Zuständiges Referat",
        "related_website": "Weiterführende Website",
        "related_websites": "Weiterführende Websites",
        "draft_banner": "Maschinelle Übersetzung — nicht geprüft",
        "unreviewed": "Nicht geprüft. Ausgangstext:",
        "untranslated": "Noch nicht übersetzt; in der Ausgangssprache angezeigt.",
        "languages": "Sprachen",
        "choose_language": "Sprache wählen",
        "published": "Veröffentlicht",
        "breadcrumb": "Sie sind hier",
        "word_document": "Word-Dokument (DOCX)",
        "outdated": "Das Original dieser Seite wurde seit der Veröffentlichung dieser Übersetzung aktualisiert. Das aktuelle Original:",
    },
    "es": {
        "home": "Inicio",
        "news_releases": "Comunicados de prensa",
        "division_in_charge": "Unidad responsable",
        "related_website": "Sitio web relacionado",
        "related_websites": "Sitios web relacionados",
        "draft_banner": "Traducción automática — sin revisar",
        "unreviewed": "Sin revisar. Texto original:",
        "untranslated": "Aún sin traducir; se muestra en el idioma original.",
        "languages": "Idiomas",
        "choose_language": "Elija un idioma",
        "published": "Publicado",
        "breadcrumb": "Usted está aquí",
        "word_document": "Documento de Word (DOCX)",
        "outdated": "El original de esta página se ha actualizado desde que se publicó esta traducción. El original vigente:",
    },
    "zh_Hans": {
        "home": "首页",
        "news_releases": "新闻发布",
        "division_in_charge": "负责部门",
        "related_website": "相关网站",
        "related_websites": "相关网站",
        "draft_banner": "机器翻译 — 未经审校",
        "unreviewed": "未经审校。原文：",
        "untranslated": "尚未翻译，显示原文。",
        "languages": "语言",
        "choose_language": "请选择语言",
        "published": "发布日期",
        "breadcrumb": "当前位置",
        "word_document": "Word 文档（DOCX）",
        "outdated": "本译文发布后，原文已更新。最新原文：",
    },
    "ko": {
        "home": "홈",
        "news_releases": "보도자료",
        "division_in_charge": "담당 부서",
        "related_website": "관련 웹사이트",
        "related_websites": "관련 웹사이트",
        "draft_banner": "기계 번역 — 검토되지 않음",
        "unreviewed": "검토되지 않은 번역입니다. 원문:",
        "untranslated": "아직 번역되지 않아 원문으로 표시합니다.",
        "languages": "언어",
        "choose_language": "언어를 선택하세요",
        "published": "게시일",
        "breadcrumb": "현재 위치",
        "word_document": "Word 문서(DOCX)",
        "outdated": "이 번역이 게시된 후 원문이 업데이트되었습니다. 최신 원문:",
    },
    "ar": {
        "home": "الصفحة الرئيسية",
        "news_releases": "البيانات الصحفية",
        "division_in_charge": "القسم المسؤول",
        "related_website": "موقع ذو صلة",
        "related_websites": "مواقع ذات صلة",
        "draft_banner": "ترجمة آلية — لم تتم مراجعتها",
        "unreviewed": "لم تتم مراجعتها. النص الأصلي:",
        "untranslated": "لم تُترجم بعد؛ معروضة بلغة المصدر.",
        "languages": "اللغات",
        "choose_language": "اختر لغة",
        "published": "تاريخ النشر",
        "breadcrumb": "أنت هنا",
        "word_document": "مستند Word (DOCX)",
        "outdated": "حُدِّث النص الأصلي لهذه الصفحة منذ نشر هذه الترجمة. النص الأصلي الحالي:",
    },
    "he": {
        "home": "דף הבית",
        "news_releases": "הודעות לעיתונות",
        "division_in_charge": "היחידה האחראית",
        "related_website": "אתר קשור",
        "related_websites": "אתרים קשורים",
        "draft_banner": "תרגום מכונה — לא נבדק",
        "unreviewed": "לא נבדק. טקסט המקור:",
        "untranslated": "טרם תורגם; מוצג בשפת המקור.",
        "languages": "שפות",
        "choose_language": "בחרו שפה",
        "published": "פורסם",
        "breadcrumb": "אתה נמצא כאן",
        "word_document": "מסמך Word (DOCX)",
        "outdated": "המקור של דף זה עודכן מאז פרסום התרגום. המקור העדכני:",
    },
}


#: What each word is, for the translator (the extracted comment of its names.pot entry).
UI_NOTES: dict[str, str] = {
    "home": "the first item of the breadcrumb: a link to the site's home page",
    "news_releases": "the title of the list of all releases: index heading, footer link, breadcrumb",
    "division_in_charge": "the heading above the division that issued the release",
    "related_website": "the heading above the related links when there is ONE link",
    "related_websites": "the heading above the related links when there are SEVERAL links",
    "draft_banner": "the banner across a draft page (drafts only)",
    "unreviewed": "tooltip of an unreviewed text in a draft, followed by the source text (drafts only)",
    "untranslated": "tooltip of a text shown in the source language in a draft (drafts only)",
    "languages": "label of the language switcher, read by screen readers",
    "choose_language": "an invitation to choose a language",
    "published": "before the publication date",
    "breadcrumb": "label of the breadcrumb, read by screen readers",
    "word_document": "the link to the release's Word document",
    "outdated": "the notice on a published translation whose original was updated since (followed by a link to it)",
}


def builtin_words(lang: str) -> dict[str, str] | None:
    """The built-in words of ``lang`` (its language, then language + script, then the exact locale:
    "fr_CA" has French's), or None when transpub has none for it ("ru", "zh_Hant")."""
    locale = Locale.parse(lang)
    candidates = (locale.language, f"{locale.language}_{locale.script}" if locale.script else None, lang)
    found = [UI_TEXT[candidate] for candidate in candidates if candidate and candidate in UI_TEXT]
    if not found:
        return None
    table = dict(UI_TEXT["en"])
    for words in found:
        table.update(words)
    return table


def source_words(source_lang: str) -> dict[str, str]:
    """The words names.po entries translate (their msgids): the source language's, else English."""
    return builtin_words(source_lang) or dict(UI_TEXT["en"])
