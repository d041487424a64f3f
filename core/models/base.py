"""The one declarative Base every table registers on."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
