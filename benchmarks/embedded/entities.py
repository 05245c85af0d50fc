"""Small embedded tables of real-world entities the embedded tools talk about.

Names and stable facts (capitals, founding years, directors) are real; everything that changes over
time (prices, scores, rankings, weather) is drawn by the tools from these keys, so the world is
plausible but never claims to be current. All names are ASCII so they read the same inside
ToolBench's json.dumps observations (which escape non-ASCII).
"""
from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    name: str
    country: str
    lat: float
    lon: float
    timezone: str
    utc_offset_min: int  # standard time


CITIES = tuple(City(*row) for row in (
    ("Lisbon", "Portugal", 38.72, -9.14, "Europe/Lisbon", 0),
    ("Madrid", "Spain", 40.42, -3.70, "Europe/Madrid", 60),
    ("Barcelona", "Spain", 41.39, 2.17, "Europe/Madrid", 60),
    ("Paris", "France", 48.86, 2.35, "Europe/Paris", 60),
    ("Berlin", "Germany", 52.52, 13.40, "Europe/Berlin", 60),
    ("Munich", "Germany", 48.14, 11.58, "Europe/Berlin", 60),
    ("Rome", "Italy", 41.90, 12.50, "Europe/Rome", 60),
    ("Milan", "Italy", 45.46, 9.19, "Europe/Rome", 60),
    ("Amsterdam", "Netherlands", 52.37, 4.90, "Europe/Amsterdam", 60),
    ("Vienna", "Austria", 48.21, 16.37, "Europe/Vienna", 60),
    ("Prague", "Czech Republic", 50.08, 14.44, "Europe/Prague", 60),
    ("Warsaw", "Poland", 52.23, 21.01, "Europe/Warsaw", 60),
    ("Stockholm", "Sweden", 59.33, 18.07, "Europe/Stockholm", 60),
    ("Oslo", "Norway", 59.91, 10.75, "Europe/Oslo", 60),
    ("Copenhagen", "Denmark", 55.68, 12.57, "Europe/Copenhagen", 60),
    ("Dublin", "Ireland", 53.35, -6.26, "Europe/Dublin", 0),
    ("London", "United Kingdom", 51.51, -0.13, "Europe/London", 0),
    ("Edinburgh", "United Kingdom", 55.95, -3.19, "Europe/London", 0),
    ("Athens", "Greece", 37.98, 23.73, "Europe/Athens", 120),
    ("Istanbul", "Turkey", 41.01, 28.98, "Europe/Istanbul", 180),
    ("Cairo", "Egypt", 30.04, 31.24, "Africa/Cairo", 120),
    ("Nairobi", "Kenya", -1.29, 36.82, "Africa/Nairobi", 180),
    ("Cape Town", "South Africa", -33.92, 18.42, "Africa/Johannesburg", 120),
    ("Lagos", "Nigeria", 6.52, 3.38, "Africa/Lagos", 60),
    ("Dubai", "United Arab Emirates", 25.20, 55.27, "Asia/Dubai", 240),
    ("Mumbai", "India", 19.08, 72.88, "Asia/Kolkata", 330),
    ("Delhi", "India", 28.70, 77.10, "Asia/Kolkata", 330),
    ("Bangkok", "Thailand", 13.76, 100.50, "Asia/Bangkok", 420),
    ("Singapore", "Singapore", 1.35, 103.82, "Asia/Singapore", 480),
    ("Tokyo", "Japan", 35.68, 139.69, "Asia/Tokyo", 540),
    ("Osaka", "Japan", 34.69, 135.50, "Asia/Tokyo", 540),
    ("Seoul", "South Korea", 37.57, 126.98, "Asia/Seoul", 540),
    ("Beijing", "China", 39.90, 116.40, "Asia/Shanghai", 480),
    ("Shanghai", "China", 31.23, 121.47, "Asia/Shanghai", 480),
    ("Sydney", "Australia", -33.87, 151.21, "Australia/Sydney", 600),
    ("Melbourne", "Australia", -37.81, 144.96, "Australia/Melbourne", 600),
    ("Auckland", "New Zealand", -36.85, 174.76, "Pacific/Auckland", 720),
    ("Toronto", "Canada", 43.65, -79.38, "America/Toronto", -300),
    ("Vancouver", "Canada", 49.28, -123.12, "America/Vancouver", -480),
    ("New York", "United States", 40.71, -74.01, "America/New_York", -300),
    ("Chicago", "United States", 41.88, -87.63, "America/Chicago", -360),
    ("San Francisco", "United States", 37.77, -122.42, "America/Los_Angeles", -480),
    ("Los Angeles", "United States", 34.05, -118.24, "America/Los_Angeles", -480),
    ("Mexico City", "Mexico", 19.43, -99.13, "America/Mexico_City", -360),
    ("Sao Paulo", "Brazil", -23.55, -46.63, "America/Sao_Paulo", -180),
    ("Buenos Aires", "Argentina", -34.60, -58.38, "America/Argentina/Buenos_Aires", -180),
    ("Lima", "Peru", -12.05, -77.04, "America/Lima", -300),
    ("Bogota", "Colombia", 4.71, -74.07, "America/Bogota", -300),
))
CITY = {c.name: c for c in CITIES}


class Country(NamedTuple):
    name: str
    capital: str
    population: int
    area_km2: int
    currency: str
    calling_code: str
    iso2: str
    languages: tuple[str, ...]


COUNTRIES = tuple(Country(*row) for row in (
    ("Portugal", "Lisbon", 10467366, 92212, "EUR", "+351", "PT", ("Portuguese",)),
    ("Spain", "Madrid", 48345223, 505990, "EUR", "+34", "ES", ("Spanish",)),
    ("France", "Paris", 68170228, 643801, "EUR", "+33", "FR", ("French",)),
    ("Germany", "Berlin", 84482267, 357588, "EUR", "+49", "DE", ("German",)),
    ("Italy", "Rome", 58850717, 301340, "EUR", "+39", "IT", ("Italian",)),
    ("Netherlands", "Amsterdam", 17879488, 41850, "EUR", "+31", "NL", ("Dutch",)),
    ("Austria", "Vienna", 9132383, 83879, "EUR", "+43", "AT", ("German",)),
    ("Switzerland", "Bern", 8902308, 41285, "CHF", "+41", "CH", ("German", "French", "Italian", "Romansh")),
    ("Czech Republic", "Prague", 10873689, 78871, "CZK", "+420", "CZ", ("Czech",)),
    ("Poland", "Warsaw", 36753736, 312696, "PLN", "+48", "PL", ("Polish",)),
    ("Sweden", "Stockholm", 10551707, 450295, "SEK", "+46", "SE", ("Swedish",)),
    ("Norway", "Oslo", 5519594, 385207, "NOK", "+47", "NO", ("Norwegian",)),
    ("Denmark", "Copenhagen", 5946952, 42933, "DKK", "+45", "DK", ("Danish",)),
    ("Ireland", "Dublin", 5262382, 70273, "EUR", "+353", "IE", ("English", "Irish")),
    ("United Kingdom", "London", 68350000, 242495, "GBP", "+44", "GB", ("English",)),
    ("Greece", "Athens", 10413982, 131957, "EUR", "+30", "GR", ("Greek",)),
    ("Turkey", "Ankara", 85372377, 783562, "TRY", "+90", "TR", ("Turkish",)),
    ("Egypt", "Cairo", 112716598, 1002450, "EGP", "+20", "EG", ("Arabic",)),
    ("Kenya", "Nairobi", 55100586, 580367, "KES", "+254", "KE", ("English", "Swahili")),
    ("South Africa", "Pretoria", 62027503, 1221037, "ZAR", "+27", "ZA", ("Zulu", "Xhosa", "Afrikaans", "English")),
    ("Nigeria", "Abuja", 223804632, 923768, "NGN", "+234", "NG", ("English",)),
    ("United Arab Emirates", "Abu Dhabi", 9516871, 83600, "AED", "+971", "AE", ("Arabic",)),
    ("India", "New Delhi", 1428627663, 3287263, "INR", "+91", "IN", ("Hindi", "English")),
    ("Thailand", "Bangkok", 71801279, 513120, "THB", "+66", "TH", ("Thai",)),
    ("Singapore", "Singapore", 5917600, 734, "SGD", "+65", "SG", ("English", "Malay", "Mandarin", "Tamil")),
    ("Japan", "Tokyo", 124516650, 377975, "JPY", "+81", "JP", ("Japanese",)),
    ("South Korea", "Seoul", 51712619, 100210, "KRW", "+82", "KR", ("Korean",)),
    ("China", "Beijing", 1409670000, 9596961, "CNY", "+86", "CN", ("Mandarin",)),
    ("Australia", "Canberra", 26638544, 7692024, "AUD", "+61", "AU", ("English",)),
    ("New Zealand", "Wellington", 5223100, 268021, "NZD", "+64", "NZ", ("English", "Maori")),
    ("Canada", "Ottawa", 40097761, 9984670, "CAD", "+1", "CA", ("English", "French")),
    ("United States", "Washington, D.C.", 334914895, 9833520, "USD", "+1", "US", ("English",)),
    ("Mexico", "Mexico City", 129875529, 1964375, "MXN", "+52", "MX", ("Spanish",)),
    ("Brazil", "Brasilia", 216422446, 8515767, "BRL", "+55", "BR", ("Portuguese",)),
    ("Argentina", "Buenos Aires", 46654581, 2780400, "ARS", "+54", "AR", ("Spanish",)),
    ("Peru", "Lima", 34352719, 1285216, "PEN", "+51", "PE", ("Spanish",)),
    ("Colombia", "Bogota", 52085168, 1141748, "COP", "+57", "CO", ("Spanish",)),
))
COUNTRY = {c.name: c for c in COUNTRIES}


class Currency(NamedTuple):
    code: str
    name: str
    per_usd: float  # units of this currency per US dollar (mid-2024 level)


CURRENCIES = tuple(Currency(*row) for row in (
    ("USD", "US Dollar", 1.0), ("EUR", "Euro", 0.92), ("GBP", "British Pound", 0.79),
    ("JPY", "Japanese Yen", 157.2), ("CHF", "Swiss Franc", 0.897), ("CAD", "Canadian Dollar", 1.368),
    ("AUD", "Australian Dollar", 1.502), ("NZD", "New Zealand Dollar", 1.641), ("CNY", "Chinese Yuan", 7.265),
    ("INR", "Indian Rupee", 83.45), ("BRL", "Brazilian Real", 5.45), ("MXN", "Mexican Peso", 18.2),
    ("SEK", "Swedish Krona", 10.55), ("NOK", "Norwegian Krone", 10.6), ("DKK", "Danish Krone", 6.87),
    ("PLN", "Polish Zloty", 4.01), ("CZK", "Czech Koruna", 23.3), ("ZAR", "South African Rand", 18.3),
    ("SGD", "Singapore Dollar", 1.355), ("KRW", "South Korean Won", 1378.0), ("TRY", "Turkish Lira", 32.8),
    ("AED", "UAE Dirham", 3.6725), ("THB", "Thai Baht", 36.7), ("EGP", "Egyptian Pound", 48.0),
    ("KES", "Kenyan Shilling", 129.0), ("NGN", "Nigerian Naira", 1480.0), ("ARS", "Argentine Peso", 905.0),
    ("PEN", "Peruvian Sol", 3.8), ("COP", "Colombian Peso", 4150.0),
))
CURRENCY = {c.code: c for c in CURRENCIES}


class Company(NamedTuple):
    symbol: str
    name: str
    exchange: str
    sector: str
    headquarters: str
    founded: int
    base_price: float


COMPANIES = tuple(Company(*row) for row in (
    ("AAPL", "Apple Inc.", "NASDAQ", "Technology", "Cupertino", 1976, 190.0),
    ("MSFT", "Microsoft Corporation", "NASDAQ", "Technology", "Redmond", 1975, 420.0),
    ("GOOGL", "Alphabet Inc.", "NASDAQ", "Communication Services", "Mountain View", 1998, 175.0),
    ("AMZN", "Amazon.com Inc.", "NASDAQ", "Consumer Cyclical", "Seattle", 1994, 185.0),
    ("NVDA", "NVIDIA Corporation", "NASDAQ", "Technology", "Santa Clara", 1993, 120.0),
    ("META", "Meta Platforms Inc.", "NASDAQ", "Communication Services", "Menlo Park", 2004, 500.0),
    ("TSLA", "Tesla Inc.", "NASDAQ", "Consumer Cyclical", "Austin", 2003, 180.0),
    ("NFLX", "Netflix Inc.", "NASDAQ", "Communication Services", "Los Gatos", 1997, 650.0),
    ("IBM", "International Business Machines", "NYSE", "Technology", "Armonk", 1911, 170.0),
    ("INTC", "Intel Corporation", "NASDAQ", "Technology", "Santa Clara", 1968, 31.0),
    ("ORCL", "Oracle Corporation", "NYSE", "Technology", "Austin", 1977, 135.0),
    ("ADBE", "Adobe Inc.", "NASDAQ", "Technology", "San Jose", 1982, 520.0),
    ("KO", "The Coca-Cola Company", "NYSE", "Consumer Defensive", "Atlanta", 1892, 63.0),
    ("PEP", "PepsiCo Inc.", "NASDAQ", "Consumer Defensive", "Purchase", 1965, 165.0),
    ("NKE", "Nike Inc.", "NYSE", "Consumer Cyclical", "Beaverton", 1964, 95.0),
    ("DIS", "The Walt Disney Company", "NYSE", "Communication Services", "Burbank", 1923, 100.0),
    ("JPM", "JPMorgan Chase & Co.", "NYSE", "Financial Services", "New York", 1799, 200.0),
    ("V", "Visa Inc.", "NYSE", "Financial Services", "San Francisco", 1958, 275.0),
    ("WMT", "Walmart Inc.", "NYSE", "Consumer Defensive", "Bentonville", 1962, 68.0),
    ("MCD", "McDonald's Corporation", "NYSE", "Consumer Cyclical", "Chicago", 1940, 255.0),
    ("SAP", "SAP SE", "NYSE", "Technology", "Walldorf", 1972, 200.0),
    ("TM", "Toyota Motor Corporation", "NYSE", "Consumer Cyclical", "Toyota City", 1937, 205.0),
))
COMPANY = {c.symbol: c for c in COMPANIES}


class Coin(NamedTuple):
    slug: str
    symbol: str
    name: str
    price_usd: float
    supply_millions: float


COINS = tuple(Coin(*row) for row in (  # in market-cap order
    ("bitcoin", "BTC", "Bitcoin", 64000.0, 19.7), ("ethereum", "ETH", "Ethereum", 3400.0, 120.2),
    ("tether", "USDT", "Tether", 1.0, 112000.0), ("bnb", "BNB", "BNB", 580.0, 147.6),
    ("solana", "SOL", "Solana", 145.0, 462.0), ("usd-coin", "USDC", "USDC", 1.0, 32000.0),
    ("xrp", "XRP", "XRP", 0.48, 55600.0), ("dogecoin", "DOGE", "Dogecoin", 0.125, 145000.0),
    ("cardano", "ADA", "Cardano", 0.39, 35700.0), ("tron", "TRX", "TRON", 0.12, 87400.0),
    ("avalanche", "AVAX", "Avalanche", 27.0, 394.0), ("chainlink", "LINK", "Chainlink", 14.0, 608.0),
    ("polkadot", "DOT", "Polkadot", 6.2, 1440.0), ("litecoin", "LTC", "Litecoin", 72.0, 74.8),
))
COIN = {c.slug: c for c in COINS}


class Food(NamedTuple):
    name: str
    kcal: float  # per 100 g
    protein_g: float
    carbs_g: float
    fat_g: float


FOODS = tuple(Food(*row) for row in (
    ("apple", 52, 0.3, 13.8, 0.2), ("banana", 89, 1.1, 22.8, 0.3), ("orange", 47, 0.9, 11.8, 0.1),
    ("strawberry", 32, 0.7, 7.7, 0.3), ("avocado", 160, 2.0, 8.5, 14.7), ("broccoli", 34, 2.8, 6.6, 0.4),
    ("carrot", 41, 0.9, 9.6, 0.2), ("spinach", 23, 2.9, 3.6, 0.4), ("potato", 77, 2.0, 17.5, 0.1),
    ("cooked rice", 130, 2.7, 28.2, 0.3), ("oats", 389, 16.9, 66.3, 6.9), ("egg", 143, 12.6, 0.7, 9.5),
    ("chicken breast", 165, 31.0, 0.0, 3.6), ("salmon", 208, 20.4, 0.0, 13.4), ("tofu", 76, 8.0, 1.9, 4.8),
    ("almonds", 579, 21.2, 21.6, 49.9), ("cheddar cheese", 403, 24.9, 1.3, 33.1), ("whole milk", 61, 3.2, 4.8, 3.3),
    ("greek yogurt", 59, 10.2, 3.6, 0.4), ("lentils", 116, 9.0, 20.1, 0.4), ("cooked pasta", 131, 5.0, 25.0, 1.1),
    ("dark chocolate", 546, 4.9, 61.0, 31.0), ("peanut butter", 588, 25.0, 20.0, 50.0), ("quinoa", 120, 4.4, 21.3, 1.9),
))
FOOD = {f.name: f for f in FOODS}

DAILY_VALUES = {  # US FDA daily values for adults
    "Vitamin C": (90, "mg"), "Vitamin D": (20, "mcg"), "Vitamin A": (900, "mcg"), "Vitamin B12": (2.4, "mcg"),
    "Calcium": (1300, "mg"), "Iron": (18, "mg"), "Potassium": (4700, "mg"), "Sodium": (2300, "mg"),
    "Magnesium": (420, "mg"), "Zinc": (11, "mg"), "Folate": (400, "mcg"), "Dietary Fiber": (28, "g"),
    "Protein": (50, "g"), "Added Sugars": (50, "g"), "Saturated Fat": (20, "g"), "Cholesterol": (300, "mg"),
}


class Dish(NamedTuple):
    title: str
    cuisine: str
    minutes: int
    servings: int
    kcal: int  # per serving
    ingredients: tuple[str, ...]


DISHES = tuple(Dish(*row) for row in (
    ("Chicken Tikka Masala", "Indian", 50, 4, 490, ("chicken", "yogurt", "tomato", "garam masala", "cream")),
    ("Chicken Caesar Salad", "American", 25, 2, 420, ("chicken", "romaine lettuce", "parmesan", "croutons")),
    ("Lemon Garlic Roast Chicken", "French", 90, 6, 380, ("chicken", "lemon", "garlic", "thyme")),
    ("Chicken Biryani", "Indian", 70, 6, 540, ("chicken", "rice", "onion", "yogurt", "saffron")),
    ("Beef Bourguignon", "French", 180, 6, 560, ("beef", "red wine", "mushroom", "carrot", "onion")),
    ("Beef Tacos", "Mexican", 30, 4, 450, ("beef", "tortilla", "tomato", "cheese", "lettuce")),
    ("Beef and Broccoli Stir-Fry", "Chinese", 25, 4, 390, ("beef", "broccoli", "soy sauce", "garlic", "rice")),
    ("Teriyaki Salmon", "Japanese", 20, 2, 410, ("salmon", "soy sauce", "mirin", "rice")),
    ("Baked Salmon with Dill", "Scandinavian", 30, 4, 360, ("salmon", "dill", "lemon", "potato")),
    ("Garlic Butter Shrimp", "American", 15, 3, 320, ("shrimp", "butter", "garlic", "parsley")),
    ("Pad Thai", "Thai", 35, 4, 520, ("rice noodles", "shrimp", "egg", "peanuts", "tamarind")),
    ("Seafood Paella", "Spanish", 60, 6, 480, ("rice", "shrimp", "mussels", "saffron", "tomato")),
    ("Mapo Tofu", "Chinese", 30, 4, 350, ("tofu", "pork", "chili bean paste", "sichuan pepper")),
    ("Tofu Green Curry", "Thai", 35, 4, 410, ("tofu", "coconut milk", "green curry paste", "basil", "rice")),
    ("Shakshuka", "Middle Eastern", 30, 4, 280, ("egg", "tomato", "pepper", "onion", "cumin")),
    ("Spanish Tortilla", "Spanish", 45, 6, 310, ("egg", "potato", "onion", "olive oil")),
    ("Margherita Pizza", "Italian", 40, 4, 600, ("pizza dough", "tomato", "mozzarella", "basil")),
    ("Gazpacho", "Spanish", 20, 4, 150, ("tomato", "cucumber", "pepper", "garlic", "olive oil")),
    ("Mushroom Risotto", "Italian", 45, 4, 430, ("rice", "mushroom", "parmesan", "white wine", "onion")),
    ("Cream of Mushroom Soup", "French", 35, 4, 240, ("mushroom", "cream", "onion", "butter")),
    ("Spaghetti Carbonara", "Italian", 25, 4, 570, ("pasta", "egg", "pancetta", "pecorino")),
    ("Pasta Primavera", "Italian", 30, 4, 440, ("pasta", "zucchini", "pepper", "tomato", "parmesan")),
    ("Red Lentil Dal", "Indian", 40, 4, 320, ("lentils", "tomato", "onion", "turmeric", "garlic")),
    ("Lentil Soup", "Greek", 50, 6, 260, ("lentils", "carrot", "onion", "celery")),
    ("Spanakopita", "Greek", 75, 8, 340, ("spinach", "feta", "filo pastry", "onion", "egg")),
    ("Palak Paneer", "Indian", 40, 4, 360, ("spinach", "paneer", "cream", "garlic", "garam masala")),
    ("Gratin Dauphinois", "French", 80, 6, 350, ("potato", "cream", "garlic", "nutmeg")),
    ("Vegetable Fried Rice", "Chinese", 20, 4, 330, ("rice", "egg", "peas", "carrot", "soy sauce")),
    ("Guacamole", "Mexican", 10, 4, 180, ("avocado", "lime", "onion", "cilantro", "tomato")),
    ("Chicken Enchiladas", "Mexican", 55, 6, 470, ("chicken", "tortilla", "cheese", "enchilada sauce")),
    ("Sushi Rolls", "Japanese", 60, 4, 300, ("rice", "nori", "salmon", "cucumber", "avocado")),
    ("Classic Cheeseburger", "American", 25, 4, 650, ("beef", "bun", "cheese", "lettuce", "tomato")),
))
DISH = {d.title: d for d in DISHES}

CUISINES = {  # cuisine -> country of origin
    "Italian": "Italy", "French": "France", "Spanish": "Spain", "Indian": "India", "Chinese": "China",
    "Japanese": "Japan", "Thai": "Thailand", "Mexican": "Mexico", "Greek": "Greece", "American": "United States",
}


class Film(NamedTuple):
    title: str
    year: int
    director: str
    runtime_min: int
    genres: tuple[str, ...]


FILMS = tuple(Film(*row) for row in (
    ("The Shawshank Redemption", 1994, "Frank Darabont", 142, ("Drama",)),
    ("The Godfather", 1972, "Francis Ford Coppola", 175, ("Crime", "Drama")),
    ("The Dark Knight", 2008, "Christopher Nolan", 152, ("Action", "Crime", "Drama")),
    ("Inception", 2010, "Christopher Nolan", 148, ("Action", "Sci-Fi")),
    ("Interstellar", 2014, "Christopher Nolan", 169, ("Adventure", "Drama", "Sci-Fi")),
    ("Pulp Fiction", 1994, "Quentin Tarantino", 154, ("Crime", "Drama")),
    ("Forrest Gump", 1994, "Robert Zemeckis", 142, ("Drama", "Romance")),
    ("Back to the Future", 1985, "Robert Zemeckis", 116, ("Adventure", "Comedy", "Sci-Fi")),
    ("Fight Club", 1999, "David Fincher", 139, ("Drama",)),
    ("Parasite", 2019, "Bong Joon Ho", 132, ("Drama", "Thriller")),
    ("Spirited Away", 2001, "Hayao Miyazaki", 125, ("Animation", "Fantasy")),
    ("Gladiator", 2000, "Ridley Scott", 155, ("Action", "Drama")),
    ("Alien", 1979, "Ridley Scott", 117, ("Horror", "Sci-Fi")),
    ("Jurassic Park", 1993, "Steven Spielberg", 127, ("Adventure", "Sci-Fi")),
    ("Jaws", 1975, "Steven Spielberg", 124, ("Adventure", "Thriller")),
    ("Titanic", 1997, "James Cameron", 194, ("Drama", "Romance")),
    ("Avatar", 2009, "James Cameron", 162, ("Action", "Adventure", "Fantasy")),
    ("Casablanca", 1942, "Michael Curtiz", 102, ("Drama", "Romance")),
    ("The Grand Budapest Hotel", 2014, "Wes Anderson", 99, ("Comedy", "Drama")),
    ("Whiplash", 2014, "Damien Chazelle", 106, ("Drama", "Music")),
    ("La La Land", 2016, "Damien Chazelle", 128, ("Comedy", "Drama", "Musical")),
    ("Amelie", 2001, "Jean-Pierre Jeunet", 122, ("Comedy", "Romance")),
    ("Pan's Labyrinth", 2006, "Guillermo del Toro", 118, ("Drama", "Fantasy")),
    ("Get Out", 2017, "Jordan Peele", 104, ("Horror", "Thriller")),
    ("Mad Max: Fury Road", 2015, "George Miller", 120, ("Action", "Adventure")),
    ("Toy Story", 1995, "John Lasseter", 81, ("Animation", "Comedy")),
    ("The Silence of the Lambs", 1991, "Jonathan Demme", 118, ("Crime", "Thriller")),
    ("Goodfellas", 1990, "Martin Scorsese", 146, ("Crime", "Drama")),
))
FILM = {f.title: f for f in FILMS}


class Club(NamedTuple):
    name: str
    league: str
    city: str
    stadium: str
    founded: int


LEAGUES = ("premier-league", "la-liga", "serie-a", "bundesliga", "ligue-1")
CLUBS = tuple(Club(*row) for row in (
    ("Arsenal", "premier-league", "London", "Emirates Stadium", 1886),
    ("Manchester City", "premier-league", "Manchester", "Etihad Stadium", 1880),
    ("Liverpool", "premier-league", "Liverpool", "Anfield", 1892),
    ("Chelsea", "premier-league", "London", "Stamford Bridge", 1905),
    ("Manchester United", "premier-league", "Manchester", "Old Trafford", 1878),
    ("Tottenham Hotspur", "premier-league", "London", "Tottenham Hotspur Stadium", 1882),
    ("Newcastle United", "premier-league", "Newcastle", "St James' Park", 1892),
    ("Aston Villa", "premier-league", "Birmingham", "Villa Park", 1874),
    ("Real Madrid", "la-liga", "Madrid", "Santiago Bernabeu", 1902),
    ("Barcelona", "la-liga", "Barcelona", "Camp Nou", 1899),
    ("Atletico Madrid", "la-liga", "Madrid", "Metropolitano", 1903),
    ("Sevilla", "la-liga", "Seville", "Ramon Sanchez-Pizjuan", 1890),
    ("Real Sociedad", "la-liga", "San Sebastian", "Anoeta", 1909),
    ("Villarreal", "la-liga", "Villarreal", "Estadio de la Ceramica", 1923),
    ("Athletic Bilbao", "la-liga", "Bilbao", "San Mames", 1898),
    ("Valencia", "la-liga", "Valencia", "Mestalla", 1919),
    ("Juventus", "serie-a", "Turin", "Allianz Stadium", 1897),
    ("Inter Milan", "serie-a", "Milan", "San Siro", 1908),
    ("AC Milan", "serie-a", "Milan", "San Siro", 1899),
    ("Napoli", "serie-a", "Naples", "Stadio Diego Armando Maradona", 1926),
    ("AS Roma", "serie-a", "Rome", "Stadio Olimpico", 1927),
    ("Lazio", "serie-a", "Rome", "Stadio Olimpico", 1900),
    ("Atalanta", "serie-a", "Bergamo", "Gewiss Stadium", 1907),
    ("Fiorentina", "serie-a", "Florence", "Stadio Artemio Franchi", 1926),
    ("Bayern Munich", "bundesliga", "Munich", "Allianz Arena", 1900),
    ("Borussia Dortmund", "bundesliga", "Dortmund", "Signal Iduna Park", 1909),
    ("RB Leipzig", "bundesliga", "Leipzig", "Red Bull Arena", 2009),
    ("Bayer Leverkusen", "bundesliga", "Leverkusen", "BayArena", 1904),
    ("Eintracht Frankfurt", "bundesliga", "Frankfurt", "Deutsche Bank Park", 1899),
    ("VfB Stuttgart", "bundesliga", "Stuttgart", "MHPArena", 1893),
    ("Borussia Monchengladbach", "bundesliga", "Monchengladbach", "Borussia-Park", 1900),
    ("VfL Wolfsburg", "bundesliga", "Wolfsburg", "Volkswagen Arena", 1945),
    ("Paris Saint-Germain", "ligue-1", "Paris", "Parc des Princes", 1970),
    ("Olympique de Marseille", "ligue-1", "Marseille", "Stade Velodrome", 1899),
    ("Olympique Lyonnais", "ligue-1", "Lyon", "Groupama Stadium", 1950),
    ("AS Monaco", "ligue-1", "Monaco", "Stade Louis II", 1924),
    ("LOSC Lille", "ligue-1", "Lille", "Stade Pierre-Mauroy", 1944),
    ("Stade Rennais", "ligue-1", "Rennes", "Roazhon Park", 1901),
    ("OGC Nice", "ligue-1", "Nice", "Allianz Riviera", 1904),
    ("RC Lens", "ligue-1", "Lens", "Stade Bollaert-Delelis", 1906),
))
CLUB = {c.name: c for c in CLUBS}

# Invented people (athletes, musicians): pairs of common first and last names, so no real person gets
# invented results attached.
FIRST_NAMES = ("Mateo", "Lena", "Tomas", "Aiko", "Rafael", "Ingrid", "Jonas", "Priya", "Luca", "Noor",
               "Elias", "Sofia", "Kenji", "Amara", "Viktor", "Chloe", "Diego", "Hana", "Oskar", "Maya")
LAST_NAMES = ("Varga", "Lindqvist", "Moreau", "Okafor", "Tanaka", "Rossi", "Novak", "Kowalski", "Fischer",
              "Silva", "Haddad", "Jensen", "Castro", "Petrov", "Nakamura", "Duarte", "Brennan", "Costa",
              "Sato", "Weber")
PLAYERS = tuple(f"{FIRST_NAMES[i]} {LAST_NAMES[(3 * i + 1) % len(LAST_NAMES)]}" for i in range(len(FIRST_NAMES)))
DRIVERS = tuple(f"{FIRST_NAMES[i]} {LAST_NAMES[(7 * i + 4) % len(LAST_NAMES)]}" for i in range(len(FIRST_NAMES)))
F1_TEAMS = ("Red Bull Racing", "Ferrari", "Mercedes", "McLaren", "Aston Martin", "Alpine", "Williams", "Haas")
GRANDS_PRIX = ("Bahrain", "Saudi Arabian", "Australian", "Japanese", "Chinese", "Miami", "Emilia Romagna",
               "Monaco", "Canadian", "Spanish", "Austrian", "British", "Hungarian", "Belgian", "Dutch",
               "Italian", "Azerbaijan", "Singapore", "United States", "Mexico City", "Sao Paulo", "Abu Dhabi")
TENNIS_TOURNAMENTS = ("Australian Open", "Roland Garros", "Wimbledon", "US Open")


class Airline(NamedTuple):
    code: str
    name: str
    hub: str  # IATA airport code


AIRLINES = tuple(Airline(*row) for row in (
    ("LH", "Lufthansa", "FRA"), ("BA", "British Airways", "LHR"), ("AF", "Air France", "CDG"),
    ("KL", "KLM", "AMS"), ("IB", "Iberia", "MAD"), ("TP", "TAP Air Portugal", "LIS"),
    ("EK", "Emirates", "DXB"), ("SQ", "Singapore Airlines", "SIN"), ("NH", "All Nippon Airways", "HND"),
    ("DL", "Delta Air Lines", "JFK"), ("UA", "United Airlines", "SFO"), ("AA", "American Airlines", "ORD"),
    ("QF", "Qantas", "SYD"), ("AC", "Air Canada", "YYZ"), ("TK", "Turkish Airlines", "IST"),
))
AIRLINE = {a.code: a for a in AIRLINES}


class Airport(NamedTuple):
    iata: str
    icao: str
    name: str
    city: str
    country: str


AIRPORTS = tuple(Airport(*row) for row in (
    ("LIS", "LPPT", "Humberto Delgado Airport", "Lisbon", "Portugal"),
    ("MAD", "LEMD", "Adolfo Suarez Madrid-Barajas Airport", "Madrid", "Spain"),
    ("BCN", "LEBL", "Josep Tarradellas Barcelona-El Prat Airport", "Barcelona", "Spain"),
    ("CDG", "LFPG", "Paris Charles de Gaulle Airport", "Paris", "France"),
    ("FRA", "EDDF", "Frankfurt Airport", "Frankfurt", "Germany"),
    ("MUC", "EDDM", "Munich Airport", "Munich", "Germany"),
    ("FCO", "LIRF", "Leonardo da Vinci-Fiumicino Airport", "Rome", "Italy"),
    ("AMS", "EHAM", "Amsterdam Airport Schiphol", "Amsterdam", "Netherlands"),
    ("VIE", "LOWW", "Vienna International Airport", "Vienna", "Austria"),
    ("LHR", "EGLL", "London Heathrow Airport", "London", "United Kingdom"),
    ("DUB", "EIDW", "Dublin Airport", "Dublin", "Ireland"),
    ("ATH", "LGAV", "Athens International Airport", "Athens", "Greece"),
    ("IST", "LTFM", "Istanbul Airport", "Istanbul", "Turkey"),
    ("CAI", "HECA", "Cairo International Airport", "Cairo", "Egypt"),
    ("NBO", "HKJK", "Jomo Kenyatta International Airport", "Nairobi", "Kenya"),
    ("DXB", "OMDB", "Dubai International Airport", "Dubai", "United Arab Emirates"),
    ("BOM", "VABB", "Chhatrapati Shivaji Maharaj International Airport", "Mumbai", "India"),
    ("DEL", "VIDP", "Indira Gandhi International Airport", "Delhi", "India"),
    ("BKK", "VTBS", "Suvarnabhumi Airport", "Bangkok", "Thailand"),
    ("SIN", "WSSS", "Singapore Changi Airport", "Singapore", "Singapore"),
    ("HND", "RJTT", "Tokyo Haneda Airport", "Tokyo", "Japan"),
    ("ICN", "RKSI", "Incheon International Airport", "Seoul", "South Korea"),
    ("PEK", "ZBAA", "Beijing Capital International Airport", "Beijing", "China"),
    ("SYD", "YSSY", "Sydney Kingsford Smith Airport", "Sydney", "Australia"),
    ("AKL", "NZAA", "Auckland Airport", "Auckland", "New Zealand"),
    ("YYZ", "CYYZ", "Toronto Pearson International Airport", "Toronto", "Canada"),
    ("JFK", "KJFK", "John F. Kennedy International Airport", "New York", "United States"),
    ("ORD", "KORD", "O'Hare International Airport", "Chicago", "United States"),
    ("SFO", "KSFO", "San Francisco International Airport", "San Francisco", "United States"),
    ("LAX", "KLAX", "Los Angeles International Airport", "Los Angeles", "United States"),
    ("MEX", "MMMX", "Mexico City International Airport", "Mexico City", "Mexico"),
    ("GRU", "SBGR", "Sao Paulo-Guarulhos International Airport", "Sao Paulo", "Brazil"),
    ("EZE", "SAEZ", "Ministro Pistarini International Airport", "Buenos Aires", "Argentina"),
))
AIRPORT = {a.iata: a for a in AIRPORTS}


class Book(NamedTuple):
    title: str
    author: str
    first_published: int
    genre: str


BOOKS = tuple(Book(*row) for row in (
    ("Pride and Prejudice", "Jane Austen", 1813, "Romance"),
    ("Emma", "Jane Austen", 1815, "Romance"),
    ("Sense and Sensibility", "Jane Austen", 1811, "Romance"),
    ("Moby-Dick", "Herman Melville", 1851, "Adventure"),
    ("Frankenstein", "Mary Shelley", 1818, "Gothic"),
    ("Jane Eyre", "Charlotte Bronte", 1847, "Gothic"),
    ("Wuthering Heights", "Emily Bronte", 1847, "Gothic"),
    ("Great Expectations", "Charles Dickens", 1861, "Coming-of-age"),
    ("A Tale of Two Cities", "Charles Dickens", 1859, "Historical"),
    ("Oliver Twist", "Charles Dickens", 1838, "Social novel"),
    ("War and Peace", "Leo Tolstoy", 1869, "Historical"),
    ("Anna Karenina", "Leo Tolstoy", 1878, "Realist"),
    ("Crime and Punishment", "Fyodor Dostoevsky", 1866, "Psychological"),
    ("The Brothers Karamazov", "Fyodor Dostoevsky", 1880, "Philosophical"),
    ("Don Quixote", "Miguel de Cervantes", 1605, "Satire"),
    ("Dracula", "Bram Stoker", 1897, "Gothic"),
    ("The Picture of Dorian Gray", "Oscar Wilde", 1890, "Gothic"),
    ("The Adventures of Tom Sawyer", "Mark Twain", 1876, "Adventure"),
    ("Adventures of Huckleberry Finn", "Mark Twain", 1884, "Adventure"),
    ("Little Women", "Louisa May Alcott", 1868, "Coming-of-age"),
    ("The Count of Monte Cristo", "Alexandre Dumas", 1844, "Adventure"),
    ("The Three Musketeers", "Alexandre Dumas", 1844, "Historical"),
    ("Les Miserables", "Victor Hugo", 1862, "Historical"),
    ("The Time Machine", "H. G. Wells", 1895, "Science fiction"),
    ("The War of the Worlds", "H. G. Wells", 1898, "Science fiction"),
    ("Treasure Island", "Robert Louis Stevenson", 1883, "Adventure"),
    ("Alice's Adventures in Wonderland", "Lewis Carroll", 1865, "Fantasy"),
))
BOOK = {b.title: b for b in BOOKS}


class University(NamedTuple):
    name: str
    city: str
    country: str
    founded: int


UNIVERSITIES = tuple(University(*row) for row in (
    ("University of Bologna", "Bologna", "Italy", 1088),
    ("University of Oxford", "Oxford", "United Kingdom", 1096),
    ("University of Cambridge", "Cambridge", "United Kingdom", 1209),
    ("University of Salamanca", "Salamanca", "Spain", 1218),
    ("Charles University", "Prague", "Czech Republic", 1348),
    ("University of Vienna", "Vienna", "Austria", 1365),
    ("Heidelberg University", "Heidelberg", "Germany", 1386),
    ("KU Leuven", "Leuven", "Belgium", 1425),
    ("Harvard University", "Cambridge", "United States", 1636),
    ("Yale University", "New Haven", "United States", 1701),
    ("Princeton University", "Princeton", "United States", 1746),
    ("Columbia University", "New York", "United States", 1754),
    ("McGill University", "Montreal", "Canada", 1821),
    ("University of Toronto", "Toronto", "Canada", 1827),
    ("University of Cape Town", "Cape Town", "South Africa", 1829),
    ("University of Melbourne", "Melbourne", "Australia", 1853),
    ("ETH Zurich", "Zurich", "Switzerland", 1855),
    ("Massachusetts Institute of Technology", "Cambridge", "United States", 1861),
    ("University of Tokyo", "Tokyo", "Japan", 1877),
    ("Stanford University", "Stanford", "United States", 1885),
    ("University of Chicago", "Chicago", "United States", 1890),
    ("Peking University", "Beijing", "China", 1898),
    ("National University of Singapore", "Singapore", "Singapore", 1905),
))
UNIVERSITY = {u.name: u for u in UNIVERSITIES}

WORDS = ("quizzical", "rhythm", "banana", "oxygen", "jukebox", "galaxy", "puzzle", "harmony", "level",
         "kayak", "zephyr", "whisper", "lantern", "crystal", "mountain", "velvet", "jigsaw", "radar",
         "blizzard", "saxophone", "umbrella", "wizard", "bookkeeper", "civic", "marmalade", "quartz")
