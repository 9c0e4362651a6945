"""Generates data/pet-facts: the quickstart's domain task (see README.md). Deterministic: seeded, no inputs.

Each item states one fact, "<owner> has a <animal> named <pet name>.", and asks either for the pet's name or for its
owner; the target is that one word. The base model (stories260K, trained on TinyStories) never saw this
question/answer format, so it starts near zero; the answer is in the prompt, so a 260K-parameter model can learn to
read it out in about a hundred optimizer steps. Every prompt occurs once across the splits, so validation and
test ask about facts the training set never stated. Answers are free-form words graded by exact match, spread over 36
distinct strings, so no constant answer scores well (the report prints the best constant answer's score).

Usage (from assets/): python3 make-pet-facts.py
"""
import json
import os
import random

SEED = 17
SPLITS = {"train": 2000, "validation": 100, "test": 300}
OWNERS = ["Lily", "Ben", "Tom", "Sue", "Tim", "Anna", "Sam", "Mia", "Jack", "Lucy", "Bob", "Max", "Zoe", "Mom", "Dad", "Amy"]
ANIMALS = ["dog", "cat", "bird", "fish", "frog", "bunny", "duck", "horse"]
PET_NAMES = ["Spot", "Fluffy", "Kiki", "Rex", "Bella", "Coco", "Buddy", "Daisy", "Pip", "Rosie", "Bingo", "Sunny", "Milo",
             "Penny", "Lucky", "Toby", "Ginger", "Bubbles", "Oscar", "Mittens"]


def item(rng, index):
    owner, animal, pet = rng.choice(OWNERS), rng.choice(ANIMALS), rng.choice(PET_NAMES)
    if rng.random() < 0.5:
        question, answer = f"What is the name of {owner}'s {animal}?", pet
    else:
        question, answer = f"Who has the {animal}?", owner
    return {"id": f"pet-facts-{index}", "prompt": f"{owner} has a {animal} named {pet}.\nQuestion: {question}\nAnswer:",
            "completion": " " + answer, "reference": answer}


def main():
    rng = random.Random(SEED)
    os.makedirs("data/pet-facts", exist_ok=True)
    index, seen = 0, set()
    for split, count in SPLITS.items():
        with open(f"data/pet-facts/{split}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for _ in range(count):
                row = item(rng, index)
                while row["prompt"] in seen:  # every prompt occurs once: validation and test facts are unseen in training
                    row = item(rng, index)
                seen.add(row["prompt"])
                f.write(json.dumps(row) + "\n")
                index += 1


if __name__ == "__main__":
    main()
