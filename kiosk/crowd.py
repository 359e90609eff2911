"""A crowd of fake citizens for the simulated reader (``--reader sim:crowd``, the demo).

Each is the bundled mainland citizen with another name, birth date and ID number (with a
valid GB 11643 check character), so real-name limits see many different people.
"""

from __future__ import annotations

import random
from datetime import date

from caller_server.domain.identity import check_character
from drivers.idcard import CardType
from drivers.idcard.sim.citizens import Citizen, load_citizens

AREAS = ("110105", "310104", "440305", "410104", "510107", "330106", "420106", "610113")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def crowd(size: int = 500, seed: int | None = None, today: date | None = None) -> list[Citizen]:
    """``size`` different fake people, one in ten aged 70 or more."""
    rng = random.Random(seed)
    year = (today or date.today()).year
    template = next(c for c in load_citizens() if c.card_type is CardType.MAINLAND)
    people = []
    for i in range(size):
        age = rng.randint(70, 92) if rng.random() < 0.1 else rng.randint(18, 69)
        birth = f"{year - age:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = f"{rng.choice(AREAS)}{birth}{rng.randint(0, 999):03d}"
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        fields = {
            **template.fields,
            "name": name,
            "sex": rng.choice("12"),
            "birth": birth,
            "id_number": body + check_character(body),
            "valid_to": "长期",
        }
        people.append(Citizen(f"crowd-{i}", CardType.MAINLAND, fields))
    return people
