"""Music: charts, artists and concerts. Artists, songs, albums and festivals are invented."""
from __future__ import annotations

from typing import NamedTuple

from benchmarks.embedded.catalog.common import city_param, date_param
from benchmarks.embedded.core import (
    Api,
    Args,
    Param,
    Response,
    Tool,
    between,
    clock,
    fields,
    integer,
    names,
    pick,
    ranked,
    whole,
)

CATEGORY = "Music"


class Artist(NamedTuple):
    name: str
    genre: str
    country: str
    formed: int


ARTISTS = tuple(Artist(*row) for row in (
    ("The Velvet Lanterns", "Indie rock", "United Kingdom", 2009), ("Nova Reyes", "Pop", "Mexico", 2014),
    ("Copper Skyline", "Alternative", "Canada", 2011), ("Mira Solberg", "Electropop", "Norway", 2016),
    ("The Midnight Orchards", "Folk", "Ireland", 2008), ("Kai Obuya", "Afrobeats", "Nigeria", 2017),
    ("Silver Tramlines", "Synthwave", "Germany", 2013), ("Luna Castellano", "Latin pop", "Spain", 2012),
    ("Paper Harbor", "Indie pop", "Australia", 2015), ("Dex Holloway", "Hip hop", "United States", 2010),
    ("The Amber Coast", "Soft rock", "United States", 2005), ("Yuki Hanamura", "J-pop", "Japan", 2018),
    ("Hollow Pines", "Post-rock", "Sweden", 2007), ("Sade Ferraz", "Bossa nova", "Brazil", 2006),
    ("Neon Atlas", "EDM", "Netherlands", 2012), ("Iris Moreau", "Chanson", "France", 2010),
    ("Static Garden", "Shoegaze", "Poland", 2014), ("Jin Seo-yeon", "K-pop", "South Korea", 2019),
))
ARTIST = {a.name: a for a in ARTISTS}
ARTIST_ARG = names([a.name for a in ARTISTS])
TITLE_WORDS = ("Midnight", "Golden", "Paper", "Electric", "Silent", "Wild", "Velvet", "Distant", "Broken",
               "Summer", "Crystal", "Neon")
TITLE_NOUNS = ("Hearts", "Rivers", "Satellites", "Echoes", "Streets", "Horizons", "Fireflies", "Mirrors",
               "Tides", "Parade", "Signals", "Skylines")


# Invented titles, dealt out so that no two songs or albums share one.
_TITLES = ranked([f"{w} {n}" for w in TITLE_WORDS for n in TITLE_NOUNS], "titles")
SONGS = {_TITLES[3 * i + j]: artist.name for i, artist in enumerate(ARTISTS) for j in range(3)}
ALBUM_TITLES = {artist.name: _TITLES[3 * (len(ARTISTS) + i): 3 * (len(ARTISTS) + i) + 3]
                for i, artist in enumerate(ARTISTS)}
SONG_ARG = names(tuple(SONGS))
CHART_COUNTRIES = ("US", "GB", "DE", "FR", "JP", "BR", "ES", "IT", "AU", "CA", "KR", "MX")
FESTIVALS = {"Northern Lights Festival": "Oslo", "Sunwave": "Barcelona", "Riverbank Sessions": "Dublin",
             "Golden Dunes Fest": "Dubai", "Harbour Sound": "Sydney", "Cedar Valley Music Fair": "Vancouver"}


def _albums(artist: Artist) -> list[dict[str, object]]:
    years = sorted((integer(artist.formed + 1, 2024, artist.name, "album", i) for i in range(3)), reverse=True)
    return [{"title": t, "year": y, "tracks": integer(8, 14, t)} for t, y in zip(ALBUM_TITLES[artist.name], years)]


def _chart(a: Args) -> Response:
    songs = ranked(tuple(SONGS), "chart", a["country"])[: a["limit"]]
    return {"country": a["country"], "chart_date": "2024-06-28",
            "songs": [{"rank": i + 1, "title": t, "artist": SONGS[t]} for i, t in enumerate(songs)]}


def _song(a: Args) -> Response:
    artist = ARTIST[SONGS[a["title"]]]
    album = pick(_albums(artist), a["title"])
    seconds = integer(150, 290, a["title"], "length")
    return {"title": a["title"], "artist": artist.name, "album": album["title"], "year": album["year"],
            "duration": f"{seconds // 60}:{seconds % 60:02d}", "bpm": integer(70, 160, a["title"], "bpm")}


def _profile(a: Args) -> Response:
    x = ARTIST[a["artist"]]
    return {"artist": x.name, "genre": x.genre, "country": x.country, "formed": x.formed,
            "monthly_listeners": integer(150_000, 40_000_000, x.name, "listeners")}


def _discography(a: Args) -> Response:
    return {"artist": a["artist"], "albums": _albums(ARTIST[a["artist"]])}


VENUES = ("{city} Arena", "The Roundhouse {city}", "{city} Music Hall", "Blue Door Club", "{city} Open Air Stage")


def _concerts(a: Args) -> Response:
    key = (a["city"], a["date"])
    acts = ranked([x.name for x in ARTISTS], *key)[:3]
    return {"city": a["city"], "date": a["date"],
            "events": [{"artist": act, "venue": pick(VENUES, *key, act).format(city=a["city"]),
                        "start_time": clock(integer(18 * 4, 22 * 4, *key, act) * 15),
                        "ticket_from_usd": between(25, 140, *key, act, ndigits=0)} for act in acts]}


def _lineup(a: Args) -> Response:
    key = (a["festival"], a["year"])
    return {"festival": a["festival"], "year": a["year"], "location": FESTIVALS[a["festival"]],
            "headliners": ranked([x.name for x in ARTISTS], *key)[:3]}


CHARTS = Tool("TuneChart", "Streaming charts and song metadata.", (
    Api("Top Songs", "The current top songs chart of a country (ISO code), number one first.",
        (Param("country", "ENUM", f"Chart country code: {', '.join(CHART_COUNTRIES)}", "US", names(CHART_COUNTRIES)),),
        _chart, optional=(Param("limit", "NUMBER", "Number of songs (1-10)", 5, whole(1, 10)),),
        asks=("What's the number one song in the {country} charts right now, and who sings it?",
              "Show me the top of the {country} song chart.",
              "Which song tops the charts in {country} at the moment? Include the artist."),
        answer="Number one in {country} is {songs[0][title]} by {songs[0][artist]}.",
        facts=fields("{songs[0][title]}", "{songs[0][artist]}")),
    Api("Song Details", "Artist, album, release year, duration and tempo of a song.",
        (Param("title", "STRING", "Song title", next(iter(SONGS)), SONG_ARG),), _song,
        asks=("Which album is the song {title} on, and how long is it?",
              "Get the song details for {title}: album and duration.",
              "Tell me the album and running time of the track {title}."),
        answer="{title} by {artist} is on {album} ({year}) and runs {duration}.",
        facts=fields("{album}", "{duration}")),
))

ARTIST_TOOL = Tool("Artist Hub", "Artist profiles, audience statistics and discographies.", (
    Api("Artist Profile", "Genre, origin, founding year and monthly listeners of an artist.",
        (Param("artist", "STRING", "Artist name", ARTISTS[0].name, ARTIST_ARG),), _profile,
        asks=("What genre does {artist} play, and how many monthly listeners do they have?",
              "Give me the artist profile of {artist}, including monthly listeners.",
              "How popular is {artist}? Tell me their genre and monthly listener count."),
        answer="{artist} make {genre} music and have {monthly_listeners:,} monthly listeners.",
        facts=fields("{genre}", "{monthly_listeners}")),
    Api("Artist Albums", "Albums of an artist, newest first.",
        (Param("artist", "STRING", "Artist name", ARTISTS[0].name, ARTIST_ARG),), _discography,
        asks=("What is the latest album by {artist}, and when did it come out?",
              "Which album did {artist} release most recently?",
              "Find {artist}'s newest album and its release year."),
        answer="The latest album by {artist} is {albums[0][title]} ({albums[0][year]}).",
        facts=fields("{albums[0][title]}", "{albums[0][year]}")),
))

GIGS = Tool("GigFinder", "Concert listings and festival line-ups.", (
    Api("Concerts In City", "Concerts in a city on a date.", (city_param(), date_param()), _concerts,
        asks=("Are there any concerts in {city} on {date}? Tell me the first one and its venue.",
              "Who is playing live in {city} on {date}, and where?",
              "Find a gig in {city} on {date} and give me the artist and venue."),
        answer="On {date} {events[0][artist]} play {events[0][venue]} in {city}.",
        facts=fields("{events[0][artist]}", "{events[0][venue]}")),
    Api("Festival Lineup", "Headliners and location of a music festival edition.",
        (Param("festival", "STRING", "Festival name", "Sunwave", names(tuple(FESTIVALS))),
         Param("year", "NUMBER", "Edition year", 2024, whole(2015, 2025))), _lineup,
        asks=("Who headlines {festival} {year}, and where is it held?",
              "Get the {year} line-up of {festival}: the top headliner and the location.",
              "Where does {festival} take place, and who is the main headliner in {year}?"),
        answer="{festival} {year} takes place in {location}; {headliners[0]} headline.",
        facts=fields("{headliners[0]}", "{location}")),
))

TOOLS = (CHARTS, ARTIST_TOOL, GIGS)
