"""Sports: football leagues and clubs, tennis, Formula 1 (athletes are invented, clubs and teams real)."""
from __future__ import annotations

from random import Random

from benchmarks.embedded.core import (
    Api,
    Args,
    InvalidArguments,
    Param,
    Response,
    Tool,
    between,
    fields,
    integer,
    names,
    pick,
    ranked,
    whole,
)
from benchmarks.embedded.entities import (
    CLUB,
    CLUBS,
    COUNTRIES,
    DRIVERS,
    F1_TEAMS,
    GRANDS_PRIX,
    LEAGUES,
    PLAYERS,
    TENNIS_TOURNAMENTS,
)

CATEGORY = "Sports"

TEAM = names([c.name for c in CLUBS])
SEASON = Param("season", "NUMBER", "Season start year, e.g. 2023", 2023, whole(2015, 2024))


def _standings(a: Args) -> Response:
    teams = ranked([c.name for c in CLUBS if c.league == a["league"]], a["league"], a["season"])
    points = integer(78, 95, a["league"], a["season"], "points")
    rows = []
    for position, team in enumerate(teams[:3], start=1):
        rows.append({"position": position, "team": team, "points": points})
        points -= integer(1, 8, a["league"], a["season"], position)
    return {"league": a["league"], "season": a["season"], "standings": rows}


def _team(a: Args) -> Response:
    c = CLUB[a["team"]]
    return {"team": c.name, "league": c.league, "city": c.city, "stadium": c.stadium, "founded": c.founded}


def _head_to_head(a: Args) -> Response:
    if a["team_a"] == a["team_b"]:
        raise InvalidArguments("a team does not play itself")
    pair = sorted((a["team_a"], a["team_b"]))
    matches = integer(8, 40, *pair)
    first_wins = integer(0, matches // 2, *pair, "first")
    draws = integer(0, (matches - first_wins) // 2, *pair, "draws")
    wins = {pair[0]: first_wins, pair[1]: matches - first_wins - draws}
    return {"team_a": a["team_a"], "team_b": a["team_b"], "matches": matches,
            "team_a_wins": wins[a["team_a"]], "team_b_wins": wins[a["team_b"]], "draws": draws}


def _sample_pair(rng: Random) -> Args:
    league = rng.choice(LEAGUES)
    a, b = rng.sample([c.name for c in CLUBS if c.league == league], 2)
    return {"team_a": a, "team_b": b}


def _ranking(a: Args) -> Response:
    rank = ranked(PLAYERS, "atp").index(a["player"]) + 1
    return {"player": a["player"], "country": pick(COUNTRIES, a["player"], "country").name, "rank": rank,
            "points": 11000 - 480 * rank + integer(0, 400, a["player"], "points")}


def _set_score(*key: object) -> str:
    loser = integer(0, 6, *key)
    return f"{7 if loser >= 5 else 6}-{loser}"


def _final(a: Args) -> Response:
    key = (a["tournament"], a["year"])
    champion, runner_up = ranked(PLAYERS, *key)[:2]
    return {"tournament": a["tournament"], "year": a["year"], "champion": champion, "runner_up": runner_up,
            "final_score": " ".join(_set_score(*key, s) for s in range(integer(3, 5, *key, "sets")))}


def _race(a: Args) -> Response:
    key = (a["season"], a["round"])
    driver = pick(DRIVERS, *key)
    return {"season": a["season"], "round": a["round"], "grand_prix": f"{GRANDS_PRIX[a['round'] - 1]} Grand Prix",
            "winner": driver, "team": _f1_team(a["season"], driver), "laps": integer(44, 78, *key, "laps"),
            "winning_time": f"1:{integer(24, 59, *key, 'min'):02d}:{between(10, 59.999, *key, 's', ndigits=3):06.3f}"}


def _f1_team(season: int, driver: str) -> str:
    return pick(F1_TEAMS, season, driver, "team")


def _driver_standings(a: Args) -> Response:
    drivers = ranked(DRIVERS, "f1", a["season"])[:3]
    points = integer(380, 575, a["season"], "points")
    rows = []
    for position, driver in enumerate(drivers, start=1):
        rows.append({"position": position, "driver": driver, "team": _f1_team(a["season"], driver), "points": points})
        points -= integer(9, 90, a["season"], position)
    return {"season": a["season"], "standings": rows}


FOOTBALL = Tool("FootScore", "Football (soccer) league tables, club facts and head-to-head records.", (
    Api("League Standings", "The top three of a league table at the end of a season.",
        (Param("league", "ENUM", f"League: {', '.join(LEAGUES)}", "premier-league", names(LEAGUES)), SEASON),
        _standings,
        asks=("Who topped the {league} table in the {season} season, and with how many points?",
              "Show me the {league} standings for {season}: who finished first?",
              "Which team won the {league} in {season}? Include their points total."),
        answer="{standings[0][team]} won the {season} {league} with {standings[0][points]} points.",
        facts=fields("{standings[0][team]}", "{standings[0][points]}")),
    Api("Team Info", "Club facts: city, stadium, founding year.",
        (Param("team", "STRING", "Club name, e.g. Arsenal", "Arsenal", TEAM),), _team,
        asks=("Where does {team} play its home games, and when was the club founded?",
              "Tell me the stadium and founding year of {team}.",
              "What's {team}'s home stadium? And what year were they founded?"),
        answer="{team} play at {stadium} and were founded in {founded}.",
        facts=fields("{stadium}", "{founded}")),
    Api("Head To Head", "All-time head-to-head record between two clubs.",
        (Param("team_a", "STRING", "First club", "Arsenal", TEAM),
         Param("team_b", "STRING", "Second club", "Chelsea", TEAM)),
        _head_to_head, sample=_sample_pair,
        asks=("What's the head-to-head record between {team_a} and {team_b}?",
              "How many times has {team_a} beaten {team_b}, and vice versa?",
              "Compare {team_a} and {team_b}: wins for each side and draws."),
        answer="{team_a} won {team_a_wins}, {team_b} won {team_b_wins}, and {draws} ended in a draw.",
        facts=fields("{team_a_wins}", "{team_b_wins}", "{draws}")),
))

TENNIS = Tool("CourtSide Tennis", "Tennis rankings and Grand Slam results.", (
    Api("Player Ranking", "Current world ranking and ranking points of a player.",
        (Param("player", "STRING", "Player full name", PLAYERS[0], names(PLAYERS)),), _ranking,
        asks=("What is {player}'s current world ranking?",
              "Where is {player} ranked right now, and how many ranking points do they have?",
              "Look up the ranking of tennis player {player}."),
        answer="{player} is ranked number {rank} with {points} points.",
        facts=fields("{rank}", "{points}")),
    Api("Tournament Winner", "Champion, runner-up and final score of a Grand Slam.",
        (Param("tournament", "ENUM", f"One of: {', '.join(TENNIS_TOURNAMENTS)}", "Wimbledon",
               names(TENNIS_TOURNAMENTS)),
         Param("year", "NUMBER", "Year, e.g. 2021", 2021, whole(2010, 2024))), _final,
        asks=("Who was the {year} {tournament} champion, and who was the runner-up?",
              "Tell me the {year} {tournament} champion and the losing finalist.",
              "Who played the {tournament} final in {year}, and who won?"),
        answer="{champion} beat {runner_up} in the {year} {tournament} final ({final_score}).",
        facts=fields("{champion}", "{runner_up}")),
))

F1 = Tool("Pitwall F1", "Formula 1 race results and championship standings.", (
    Api("Race Result", "Winner, team and time of a Formula 1 race, by season and round.",
        (Param("season", "NUMBER", "Season year, e.g. 2022", 2022, whole(2018, 2024)),
         Param("round", "NUMBER", "Round number (1-22)", 1, whole(1, len(GRANDS_PRIX)))), _race,
        asks=("Who won round {round} of the {season} Formula 1 season, and for which team?",
              "Get the result of the {season} F1 race, round {round}.",
              "Which driver and team won race number {round} in {season}?"),
        answer="{winner} ({team}) won the {season} {grand_prix}.",
        facts=fields("{winner}", "{team}")),
    Api("Driver Standings", "Top three of the drivers' championship of a season.",
        (Param("season", "NUMBER", "Season year, e.g. 2022", 2022, whole(2018, 2024)),), _driver_standings,
        asks=("Who won the {season} Formula 1 drivers' championship, and with how many points?",
              "Show me the top of the {season} F1 drivers' standings.",
              "Which driver was the {season} F1 champion? Include the points."),
        answer="{standings[0][driver]} won the {season} championship with {standings[0][points]} points.",
        facts=fields("{standings[0][driver]}", "{standings[0][points]}")),
))

TOOLS = (FOOTBALL, TENNIS, F1)
