from pydantic import BaseModel, Field


class Book(BaseModel):
    isbn: str
    title: str
    copies: int = Field(default=1, ge=0)


class Loan(BaseModel):
    member_id: int
    weeks: int = Field(default=3, gt=0, le=8)
