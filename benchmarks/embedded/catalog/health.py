"""Health and fitness: body metrics, workouts and hydration (standard formulas)."""
from __future__ import annotations

from random import Random

from benchmarks.embedded.core import Api, Args, Param, Response, Tool, decimal, fields, names, ranked, whole

CATEGORY = "Health_and_Fitness"

ACTIVITY_FACTORS = {"sedentary": 1.2, "light": 1.375, "moderate": 1.55, "active": 1.725, "very_active": 1.9}
METS = {"walking": 3.5, "running": 9.8, "cycling": 7.5, "swimming": 6.0, "yoga": 2.5, "rowing": 7.0,
        "hiking": 6.0, "dancing": 5.0, "jump rope": 12.3, "weight training": 5.0}
EXERCISES = {
    "chest": (("Bench Press", "barbell"), ("Push-Up", "bodyweight"), ("Dumbbell Fly", "dumbbells"),
              ("Incline Press", "barbell"), ("Cable Crossover", "cable")),
    "back": (("Pull-Up", "bodyweight"), ("Bent-Over Row", "barbell"), ("Lat Pulldown", "cable"),
             ("Deadlift", "barbell"), ("Seated Cable Row", "cable")),
    "legs": (("Back Squat", "barbell"), ("Lunge", "dumbbells"), ("Leg Press", "machine"),
             ("Romanian Deadlift", "barbell"), ("Step-Up", "bodyweight")),
    "shoulders": (("Overhead Press", "barbell"), ("Lateral Raise", "dumbbells"), ("Face Pull", "cable"),
                  ("Arnold Press", "dumbbells"), ("Pike Push-Up", "bodyweight")),
    "biceps": (("Barbell Curl", "barbell"), ("Hammer Curl", "dumbbells"), ("Preacher Curl", "machine"),
               ("Chin-Up", "bodyweight"), ("Concentration Curl", "dumbbells")),
    "triceps": (("Dip", "bodyweight"), ("Skull Crusher", "barbell"), ("Rope Pushdown", "cable"),
                ("Close-Grip Bench Press", "barbell"), ("Overhead Extension", "dumbbells")),
    "core": (("Plank", "bodyweight"), ("Hanging Leg Raise", "bodyweight"), ("Russian Twist", "bodyweight"),
             ("Ab Wheel Rollout", "ab wheel"), ("Dead Bug", "bodyweight")),
    "glutes": (("Hip Thrust", "barbell"), ("Glute Bridge", "bodyweight"), ("Bulgarian Split Squat", "dumbbells"),
               ("Cable Kickback", "cable"), ("Sumo Deadlift", "barbell")),
}
LEVELS = ("beginner", "intermediate", "advanced")


def _bmi_category(bmi: float) -> str:
    for limit, name in ((18.5, "Underweight"), (25, "Normal weight"), (30, "Overweight")):
        if bmi < limit:
            return name
    return "Obesity"


def _bmi(a: Args) -> Response:
    bmi = round(a["weight_kg"] / (a["height_cm"] / 100) ** 2, 1)
    return {"weight_kg": a["weight_kg"], "height_cm": a["height_cm"], "bmi": bmi, "category": _bmi_category(bmi)}


def _calories(a: Args) -> Response:
    """Mifflin-St Jeor basal metabolic rate times an activity factor."""
    bmr = 10 * a["weight_kg"] + 6.25 * a["height_cm"] - 5 * a["age"] + (5 if a["sex"] == "male" else -161)
    return {"bmr": round(bmr), "activity_level": a["activity_level"],
            "daily_calories": round(bmr * ACTIVITY_FACTORS[a["activity_level"]])}


def _exercises(a: Args) -> Response:
    picked = ranked(EXERCISES[a["muscle"]], "exercises", a["muscle"])[:3]
    rows = [{"name": name, "equipment": kit, "difficulty": LEVELS[i]} for i, (name, kit) in enumerate(picked)]
    return {"muscle": a["muscle"], "exercises": rows}


def _burned(a: Args) -> Response:
    """MET formula: kcal per minute = MET x 3.5 x kg / 200."""
    kcal = METS[a["activity"]] * 3.5 * a["weight_kg"] / 200 * a["duration_min"]
    return {"activity": a["activity"], "duration_min": a["duration_min"], "weight_kg": a["weight_kg"],
            "calories_burned": round(kcal, 1)}


def _water(a: Args) -> Response:
    litres = a["weight_kg"] * 0.033 + a["exercise_min"] / 30 * 0.35
    return {"weight_kg": a["weight_kg"], "exercise_min": a["exercise_min"], "litres_per_day": round(litres, 2)}


def _zones(a: Args) -> Response:
    peak = 220 - a["age"]
    zone = {name: [round(peak * low), round(peak * high)]
            for name, low, high in (("fat_burn", 0.6, 0.7), ("cardio", 0.7, 0.8), ("peak", 0.8, 0.9))}
    return {"age": a["age"], "max_heart_rate": peak, "zones": zone}


def _sample_body(rng: Random) -> Args:
    return {"weight_kg": rng.randint(48, 115), "height_cm": rng.randint(152, 198)}


def _sample_needs(rng: Random) -> Args:
    return {"age": rng.randint(18, 75), "sex": rng.choice(("male", "female")), **_sample_body(rng),
            "activity_level": rng.choice(tuple(ACTIVITY_FACTORS))}


WEIGHT = Param("weight_kg", "NUMBER", "Body weight in kg", 70, decimal(20, 400, (70,)))
HEIGHT = Param("height_cm", "NUMBER", "Height in cm", 175, decimal(80, 260, (175,)))
AGE = Param("age", "NUMBER", "Age in years", 30, whole(10, 110))

FITCALC = Tool("FitCalc", "Body-mass index and daily calorie calculators.", (
    Api("BMI", "Body-mass index and its WHO category.", (WEIGHT, HEIGHT), _bmi, sample=_sample_body,
        asks=("What's the BMI of someone who weighs {weight_kg} kg and is {height_cm} cm tall?",
              "Calculate my BMI: I'm {height_cm} cm and {weight_kg} kg.",
              "I weigh {weight_kg} kg at a height of {height_cm} cm. What is my BMI and its category?"),
        answer="The BMI is {bmi} ({category}).",
        facts=fields("{bmi}", "{category}")),
    Api("Daily Calorie Needs", "Daily calorie needs (Mifflin-St Jeor) for a person and activity level.",
        (AGE, Param("sex", "ENUM", "male or female", "female", names(("male", "female"))), WEIGHT, HEIGHT,
         Param("activity_level", "ENUM", "sedentary, light, moderate, active or very_active", "moderate",
               names(tuple(ACTIVITY_FACTORS)))), _calories, sample=_sample_needs,
        asks=("How many calories a day does a {age}-year-old {sex} need at {weight_kg} kg, {height_cm} cm, "
              "with a {activity_level} activity level?",
              "Estimate daily calorie needs: {sex}, {age} years, {weight_kg} kg, {height_cm} cm, "
              "activity level {activity_level}.",
              "I'm a {age}-year-old {sex}, {height_cm} cm and {weight_kg} kg, and my activity level is "
              "{activity_level}. How many calories should I eat per day?"),
        answer="About {daily_calories} kcal per day (BMR {bmr}).",
        facts=fields("{daily_calories}")),
))

WORKOUTS = Tool("WorkoutLib", "Exercise library and calorie-burn estimates.", (
    Api("Exercises By Muscle", "Exercises that train a muscle group, from beginner to advanced.",
        (Param("muscle", "ENUM", f"Muscle group: {', '.join(EXERCISES)}", "chest", names(tuple(EXERCISES))),),
        _exercises,
        asks=("Suggest two exercises for my {muscle}.",
              "What are good {muscle} exercises? Give me at least two.",
              "I want to train {muscle} today; recommend a couple of exercises."),
        answer="Try {exercises[0][name]} and {exercises[1][name]}.",
        facts=fields("{exercises[0][name]}", "{exercises[1][name]}")),
    Api("Calories Burned", "Calories burned by an activity for a duration and body weight (MET method).",
        (Param("activity", "STRING", f"Activity: {', '.join(METS)}", "running", names(tuple(METS))),
         Param("duration_min", "NUMBER", "Duration in minutes", 30, whole(1, 1440))), _burned,
        optional=(WEIGHT,),
        sample=lambda rng: {"activity": rng.choice(tuple(METS)), "duration_min": rng.choice((15, 20, 30, 45, 60, 90)),
                            "weight_kg": rng.randint(50, 110)},
        asks=("How many calories does {duration_min} minutes of {activity} burn for someone weighing {weight_kg} kg?",
              "Estimate the calories burned by {activity} for {duration_min} minutes at {weight_kg} kg body weight.",
              "I weigh {weight_kg} kg. How many calories will {duration_min} minutes of {activity} burn?"),
        answer="{duration_min} minutes of {activity} burn about {calories_burned} kcal.",
        facts=fields("{calories_burned}")),
))

HYDRO = Tool("HydroTrack", "Hydration and heart-rate training guidance.", (
    Api("Daily Water Intake", "Recommended daily water intake (litres) from body weight and exercise.",
        (WEIGHT,), _water,
        optional=(Param("exercise_min", "NUMBER", "Minutes of exercise per day", 0, whole(0, 1440)),),
        sample=lambda rng: {"weight_kg": rng.randint(45, 120), "exercise_min": rng.choice((0, 20, 30, 45, 60, 90))},
        asks=("How much water should I drink per day if I weigh {weight_kg} kg and exercise {exercise_min} "
              "minutes daily?",
              "Recommend a daily water intake for {weight_kg} kg with {exercise_min} minutes of exercise a day.",
              "What's my daily water target? I'm {weight_kg} kg and work out {exercise_min} minutes a day."),
        answer="Aim for {litres_per_day} litres of water a day.",
        facts=fields("{litres_per_day}")),
    Api("Heart Rate Zones", "Maximum heart rate (220 - age) and training zones.", (AGE,), _zones,
        sample=lambda rng: {"age": rng.randint(18, 75)},
        asks=("What's the maximum heart rate and cardio zone for a {age}-year-old?",
              "Calculate heart rate training zones for age {age}, especially the cardio zone.",
              "I'm {age}. What is my max heart rate, and what range should I stay in for cardio?"),
        answer="Max heart rate is {max_heart_rate} bpm; the cardio zone is {zones[cardio][0]}-{zones[cardio][1]} bpm.",
        facts=fields("{max_heart_rate}", "{zones[cardio][0]}", "{zones[cardio][1]}")),
))

TOOLS = (FITCALC, WORKOUTS, HYDRO)
