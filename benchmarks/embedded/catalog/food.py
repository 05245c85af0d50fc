"""Food: recipes, nutrition facts and restaurants."""
from __future__ import annotations

from collections import Counter
from random import Random

from benchmarks.embedded.catalog.common import CITY_ARG, city_param
from benchmarks.embedded.core import (
    Api,
    Args,
    Param,
    Response,
    Tool,
    between,
    decimal,
    fields,
    free_text,
    names,
    pick,
    ranked,
    whole,
)
from benchmarks.embedded.entities import CUISINES, DAILY_VALUES, DISH, DISHES, FOOD, FOODS

CATEGORY = "Food"

_INGREDIENT_USES = Counter(i for d in DISHES for i in d.ingredients)
POPULAR_INGREDIENTS = tuple(sorted(i for i, n in _INGREDIENT_USES.items() if n >= 2))


def _search(a: Args) -> Response:
    term = a["ingredient"].casefold()
    found = [d for d in DISHES if any(term == i or term in i.split() for i in d.ingredients)]
    results = ranked(found, "recipes", term)[: a["max_results"]]
    return {"ingredient": a["ingredient"], "count": len(results),
            "results": [{"title": d.title, "cuisine": d.cuisine, "ready_in_minutes": d.minutes} for d in results]}


def _details(a: Args) -> Response:
    d = DISH[a["recipe"]]
    return {"title": d.title, "cuisine": d.cuisine, "servings": d.servings, "ready_in_minutes": d.minutes,
            "calories_per_serving": d.kcal, "ingredients": list(d.ingredients)}


def _nutrition(a: Args) -> Response:
    f, scale = FOOD[a["food"]], a["grams"] / 100
    return {"food": f.name, "grams": a["grams"], "calories": round(f.kcal * scale, 1),
            "protein_g": round(f.protein_g * scale, 1), "carbs_g": round(f.carbs_g * scale, 1),
            "fat_g": round(f.fat_g * scale, 1)}


def _daily_value(a: Args) -> Response:
    amount, unit = DAILY_VALUES[a["nutrient"]]
    return {"nutrient": a["nutrient"], "daily_value": amount, "unit": unit,
            "population": "adults and children 4 years and older"}


ADJECTIVES = ("Golden", "Blue", "Old", "Little", "Green", "Silver", "Royal", "Hidden", "Rustic", "Velvet",
              "Copper", "Wild")
NOUNS = ("Olive", "Lantern", "Fig", "Anchor", "Spoon", "Garden", "Harbor", "Table", "Oak", "Pepper",
         "Saffron", "Orchard")


def _restaurants(a: Args) -> Response:
    city, cuisine = a["city"], a["cuisine"]
    labels = ranked([f"The {x} {y}" for x in ADJECTIVES for y in NOUNS], "restaurants", city, cuisine)[:3]
    rows = [{"name": name, "cuisine": cuisine if cuisine != "any" else pick(tuple(CUISINES), city, name),
             "rating": between(3.6, 4.9, city, name), "price_level": pick(("$", "$$", "$$$"), city, name)}
            for name in labels]
    return {"city": city, "cuisine": cuisine, "restaurants": sorted(rows, key=lambda r: -r["rating"])}


def _cuisine(a: Args) -> Response:
    dishes = [d.title for d in DISHES if d.cuisine == a["cuisine"]]
    common = Counter(i for d in DISHES if d.cuisine == a["cuisine"] for i in d.ingredients)
    return {"cuisine": a["cuisine"], "origin_country": CUISINES[a["cuisine"]], "signature_dishes": dishes[:3],
            "typical_ingredients": [i for i, _ in common.most_common(3)]}


INGREDIENT = free_text(POPULAR_INGREDIENTS)
CUISINE = names(tuple(CUISINES))


def _sample_restaurants(rng: Random) -> Args:
    return {"city": CITY_ARG.sample(rng), "cuisine": rng.choice(tuple(CUISINES))}


RECIPES = Tool("RecipeBox", "Search thousands of recipes by ingredient and get cooking details.", (
    Api("Search Recipes", "Recipes that use an ingredient, best matches first.",
        (Param("ingredient", "STRING", "An ingredient, e.g. chicken", "chicken", INGREDIENT),), _search,
        optional=(Param("max_results", "NUMBER", "Maximum number of recipes (1-10)", 3, whole(1, 10)),),
        asks=("Find me a recipe that uses {ingredient}.",
              "What can I cook with {ingredient}? Suggest a recipe.",
              "I have some {ingredient} in the fridge; search for a recipe with it.",
              "Look up a dish I could make with {ingredient} and how long it takes."),
        answer="Try {results[0][title]} ({results[0][cuisine]}), ready in {results[0][ready_in_minutes]} minutes.",
        facts=fields("{results[0][title]}")),
    Api("Recipe Details", "Cooking time, servings, calories and ingredients of a recipe by its title.",
        (Param("recipe", "STRING", "Recipe title, e.g. Pad Thai", "Pad Thai", names([d.title for d in DISHES])),),
        _details,
        asks=("How long does {recipe} take to make, and how many calories does a serving have?",
              "Get the recipe details for {recipe}: cooking time and calories per serving.",
              "I want to cook {recipe}. What's the total time and the calories per portion?"),
        answer="{title} takes {ready_in_minutes} minutes and has {calories_per_serving} kcal per serving.",
        facts=fields("{ready_in_minutes}", "{calories_per_serving}")),
))

NUTRITION = Tool("NutriFacts", "Nutrition facts for common foods and official daily values.", (
    Api("Food Nutrition", "Calories and macronutrients of a food for a given weight in grams.",
        (Param("food", "STRING", "Food name, e.g. banana", "banana", names([f.name for f in FOODS])),), _nutrition,
        optional=(Param("grams", "NUMBER", "Portion weight in grams", 100, decimal(1, 5000, (100,))),),
        sample=lambda rng: {"food": rng.choice(FOODS).name, "grams": rng.choice((50, 100, 150, 200, 250))},
        asks=("How many calories and how much protein are in {grams} g of {food}?",
              "Give me the nutrition facts for {grams} grams of {food}.",
              "I'm tracking macros: what are the calories and protein in {grams}g of {food}?"),
        answer="{grams} g of {food} has {calories} kcal and {protein_g} g of protein.",
        facts=fields("{calories}", "{protein_g}")),
    Api("Daily Value", "The recommended daily value of a nutrient (US FDA).",
        (Param("nutrient", "STRING", "Nutrient name, e.g. Vitamin C", "Vitamin C", names(tuple(DAILY_VALUES))),),
        _daily_value,
        asks=("What is the recommended daily value of {nutrient}?",
              "How much {nutrient} should an adult get per day?",
              "Look up the daily value for {nutrient}."),
        answer="The daily value of {nutrient} is {daily_value} {unit}.",
        facts=fields("{daily_value}", "{unit}")),
))

TABLES = Tool("TableFinder", "Restaurant discovery and cuisine guides.", (
    Api("Restaurants By City", "Top-rated restaurants of a city, optionally of one cuisine.",
        (city_param(),), _restaurants, sample=_sample_restaurants,
        optional=(Param("cuisine", "ENUM", "Cuisine filter, e.g. Italian, or any", "any",
                        names(("any", *CUISINES))),),
        asks=("What's the best-rated {cuisine} restaurant in {city}?",
              "Recommend a top {cuisine} restaurant in {city} and tell me its rating.",
              "Find the highest rated {cuisine} place to eat in {city}."),
        answer="The top {cuisine} restaurant in {city} is {restaurants[0][name]}, rated {restaurants[0][rating]}.",
        facts=fields("{restaurants[0][name]}", "{restaurants[0][rating]}")),
    Api("Cuisine Info", "Where a cuisine comes from and its signature dishes.",
        (Param("cuisine", "STRING", "Cuisine name, e.g. Thai", "Thai", CUISINE),), _cuisine,
        asks=("Which country does {cuisine} cuisine come from, and what is one of its signature dishes?",
              "Tell me about {cuisine} food: its origin and a signature dish.",
              "Give me a quick guide to {cuisine} cuisine, including a signature dish."),
        answer="{cuisine} cuisine comes from {origin_country}; a signature dish is {signature_dishes[0]}.",
        facts=fields("{origin_country}", "{signature_dishes[0]}")),
))

TOOLS = (RECIPES, NUTRITION, TABLES)
