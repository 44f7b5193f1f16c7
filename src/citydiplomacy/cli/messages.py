"""Table titles and headers of the main commands in English and Persian (``--lang``).

Keyed by the English text, so a missing translation shows the English one. Only what people
read in tables lives here; error messages stay in English (they are searched for and reported).
"""

from __future__ import annotations

from citydiplomacy.cli.options import current_lang

PERSIAN: dict[str, str] = {
    # query
    "competency questions": "پرسش‌های شایستگی",
    "name": "نام",
    "scope": "دامنه",
    "parameters": "پارامترها",
    "title": "عنوان",
    "field": "فیلد",
    "value": "مقدار",
    "question": "پرسش",
    "question (fa)": "پرسش (فارسی)",
    "file": "پرونده",
    # info
    "citydiplomacy ontology": "هستی‌شناسی دیپلماسی شهری",
    "store": "مخزن",
    # analyze
    "metric": "سنجه",
    "Twinning network": "شبکهٔ خواهرخواندگی",
    "Top {n} cities": "{n} شهر نخست",
    "by degree": "بر پایهٔ درجه",
    "by betweenness": "بر پایهٔ بینابینی",
    "by eigenvector (largest component)": "بر پایهٔ بردار ویژه (بزرگ‌ترین مؤلفه)",
    "Top {n} countries by links": "{n} کشور نخست بر پایهٔ پیوندها",
    "Top {n} country pairs": "{n} جفت کشور نخست",
    "country": "کشور",
    "cities": "شهرها",
    "links": "پیوندها",
    "domestic": "درون‌مرزی",
    "cross-border": "برون‌مرزی",
    "cross-border share": "سهم برون‌مرزی",
    "City-ness and town-ness": "شهرگونگی و شهرک‌گونگی",
    "city": "شهر",
    "population": "جمعیت",
    "degree": "درجه",
    "flow": "جریان",
    "place": "مکان",
    "{quadrant}: top {n}": "{quadrant}: {n} نخست",
    "Membership layer (cities and city networks)": "لایهٔ عضویت (شهرها و شبکه‌های شهری)",
    "Twinning and membership together": "خواهرخواندگی و عضویت با هم",
    "Are co-members twinned more often than chance? (top {n} networks)": "آیا هم‌عضوها بیش از تصادف خواهرخوانده‌اند؟ ({n} شبکهٔ نخست)",
    "network": "شبکه",
    "members": "اعضا",
    "members twinned": "اعضای خواهرخوانده",
    "pairs": "جفت‌ها",
    "twinned pairs": "جفت‌های خواهرخوانده",
    "rate": "نرخ",
    "chance rate": "نرخ تصادفی",
    "lift": "نسبت",
    # reason
    "citydip reason": "استدلال citydip",
    "Unsatisfiable classes": "کلاس‌های ارضاناپذیر",
    "Inferred class hierarchy (beyond the asserted closure)": "سلسله‌مراتب استنتاج‌شدهٔ کلاس‌ها",
    "Inferred types of individuals (beyond the asserted ones)": "نوع‌های استنتاج‌شدهٔ نمونه‌ها",
    "What the materialised graph adds, by property": "افزوده‌های گراف، به تفکیک ویژگی",
    "class": "کلاس",
    "individual": "نمونه",
    "property": "ویژگی",
    "triples added": "سه‌تایی‌های افزوده",
    "is inferred to be a subclass of": "زیرکلاس استنتاج‌شدهٔ",
    "is inferred to be a": "نوع استنتاج‌شده",
    "unsatisfiable class": "کلاس ارضاناپذیر",
    # import
    "import": "درون‌ریزی",
    "issues (use --report FILE for all)": "مشکلات (همه با --report FILE)",
    "skipped rows": "ردیف‌های کنارگذاشته",
    # validate (the report's own words; the shapes' messages come from the shapes)
    "Shape": "شکل",
    "Severity": "شدت",
    "Results": "نتیجه‌ها",
    "Violation": "تخلف",
    "Warning": "هشدار",
    "Info": "آگاهی",
    "(no message)": "(بی‌پیام)",
    ", ": "، ",
    "conforms": "سازگار است",
    "does not conform": "سازگار نیست",
    "{n} violation": "{n} تخلف",
    "{n} warning": "{n} هشدار",
    "{n} info": "{n} آگاهی",
    " on {n} focus node(s)": " در {n} گرهٔ کانونی",
    "the store's instance data": "داده‌های نمونهٔ مخزن",
    "the packaged ontology and examples": "هستی‌شناسی بسته‌شده و نمونه‌های آن",
    "passes --fail-on {fail_on} (exit {code}); {triples} triples, inference {inference}, {seconds} s": (
        "با --fail-on {fail_on} می‌گذرد (کد خروج {code})؛ {triples} سه‌تایی، استنتاج {inference}، {seconds} ثانیه"
    ),
    "fails --fail-on {fail_on} (exit {code}); {triples} triples, inference {inference}, {seconds} s": (
        "با --fail-on {fail_on} رد می‌شود (کد خروج {code})؛ {triples} سه‌تایی، استنتاج {inference}، {seconds} ثانیه"
    ),
    "(first {shown} of {total} results; --limit 0 shows all, --format json gives them all)": (
        "({shown} نتیجهٔ نخست از {total}؛ --limit 0 همه را نشان می‌دهد، --format json همه را می‌دهد)"
    ),
}


def tr(text: str, lang: str | None = None, **fields) -> str:
    """*text* in *lang* (default: the ``--lang`` in force), its ``{fields}`` filled in."""
    chosen = lang or current_lang()
    template = PERSIAN.get(text, text) if chosen == "fa" else text
    return template.format(**fields) if fields else template


def headers(*texts: str, lang: str | None = None) -> list[str]:
    """Column headers in the ``--lang`` in force."""
    return [tr(text, lang) for text in texts]
