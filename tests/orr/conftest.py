from tests.conftest import answer_everything

__all__ = ["answer_everything"]
