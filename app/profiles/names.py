"""Friendly generated display names: "Adjective Animal NN"."""

import random

ADJECTIVES = (
    "Agile", "Amber", "Ample", "Arctic", "Azure", "Bold", "Bouncy", "Brave", "Breezy",
    "Bright", "Brisk", "Bubbly", "Calm", "Candid", "Cheerful", "Chipper", "Clever",
    "Cosmic", "Cozy", "Crafty", "Crimson", "Curious", "Dapper", "Daring", "Dashing",
    "Dazzling", "Eager", "Earnest", "Electric", "Epic", "Fabled", "Fair", "Fearless",
    "Fiery", "Fluffy", "Friendly", "Frosty", "Gallant", "Gentle", "Giddy", "Gleaming",
    "Glowing", "Golden", "Graceful", "Grand", "Happy", "Hardy", "Hearty", "Heroic",
    "Honest", "Humble", "Icy", "Jolly", "Jovial", "Joyful", "Jumpy", "Keen", "Kind",
    "Lively", "Lucky", "Lunar", "Majestic", "Merry", "Mighty", "Misty", "Modest",
    "Mystic", "Nimble", "Noble", "Peppy", "Perky", "Plucky", "Polite", "Proud",
    "Quick", "Quiet", "Radiant", "Rapid", "Rustic", "Sunny", "Savvy", "Shiny", "Silent",
    "Silver", "Sleek", "Smart", "Snappy", "Snowy", "Solar", "Sparkly", "Speedy",
    "Spirited", "Spry", "Stellar", "Steady", "Stormy", "Swift", "Tidy", "Tireless",
    "Trusty", "Valiant", "Velvet", "Vivid", "Warm", "Wise", "Witty", "Zany", "Zesty",
)

ANIMALS = (
    "Alpaca", "Antelope", "Armadillo", "Badger", "Bat", "Bear", "Beaver", "Bison",
    "Bobcat", "Buffalo", "Butterfly", "Camel", "Capybara", "Cardinal", "Cheetah",
    "Chameleon", "Chinchilla", "Cobra", "Condor", "Cougar", "Coyote", "Crab", "Crane",
    "Cricket", "Crow", "Deer", "Dingo", "Dolphin", "Dove", "Dragonfly", "Duck", "Eagle",
    "Echidna", "Elephant", "Elk", "Falcon", "Ferret", "Finch", "Flamingo", "Fox",
    "Frog", "Gazelle", "Gecko", "Giraffe", "Goat", "Goose", "Gorilla", "Hamster",
    "Hare", "Hawk", "Hedgehog", "Heron", "Hippo", "Hummingbird", "Ibis", "Iguana",
    "Impala", "Jackal", "Jaguar", "Jay", "Kangaroo", "Kingfisher", "Kiwi", "Koala",
    "Lemur", "Leopard", "Lion", "Llama", "Lobster", "Lynx", "Macaw", "Manatee",
    "Meerkat", "Mink", "Mole", "Mongoose", "Moose", "Narwhal", "Newt", "Ocelot",
    "Octopus", "Orca", "Osprey", "Ostrich", "Otter", "Owl", "Panda", "Panther",
    "Parrot", "Pelican", "Penguin", "Puffin", "Quail", "Rabbit", "Raccoon", "Raven",
    "Reindeer", "Robin", "Salmon", "Seal", "Shark", "Sloth", "Sparrow", "Squirrel",
    "Stork", "Swan", "Tapir", "Tiger", "Toucan", "Turtle", "Walrus", "Wolf", "Wombat",
    "Yak", "Zebra",
)




def generate_display_name() -> str:
    """Return a new name such as "Brave Tiger 42" (number from 10 to 99)."""
    adjective = random.choice(ADJECTIVES)
    animal = random.choice(ANIMALS)
    return f"{adjective} {animal} {random.randint(10, 99)}"
