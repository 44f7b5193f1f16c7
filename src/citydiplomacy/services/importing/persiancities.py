"""Persian names of the Iranian cities in the shared Wikidata data, for the imported graph.

The shared files label cities in English, German or Italian only, so ``partners-of-city -p
city=تهران`` found nothing. The article's example cities bring their own Persian labels
(ontology/examples.ttl, same IRIs as the imported cities); these are the Iranian cities the
GEXF places in Iran, by the QID the data gives them. The names are the cities' usual Persian
spelling, written by the project; the importer adds one only to a city that has no Persian
label yet, and names this list as its source.
"""

from __future__ import annotations

SOURCE_LABEL = "Persian names of the Iranian cities in the shared Wikidata data, written for citydiplomacy"
SOURCE_KEY = "persian-city-names-1"

PERSIAN_CITY_NAMES: dict[str, str] = {
    "Q3616": "تهران",  # Tehran
    "Q42053": "اصفهان",  # Isfahan
    "Q121157": "مشهد",  # Mashhad
    "Q6397066": "شیراز",  # Shiraz
    "Q80053": "تبریز",  # Tabriz
    "Q170573": "قم",  # Qom
    "Q180078": "کرمانشاه",  # Kermanshah
    "Q178373": "رشت",  # Rasht
    "Q28587": "همدان",  # Hamadan
    "Q146699": "زنجان",  # Zanjan
    "Q182394": "یزد",  # Yazd
    "Q188155": "گرگان",  # Gorgan
    "Q131350": "نیشابور",  # Nishapur
    "Q605142": "دزفول",  # Dezful
    "Q331078": "آمل",  # Amol
    "Q765553": "سبزوار",  # Sabzevar
    "Q721198": "نجف‌آباد",  # Najafabad
    "Q605105": "خوی",  # Khoy
    "Q386649": "شهرکرد",  # Shahrekord
    "Q221883": "کیش",  # Kish Island
}
