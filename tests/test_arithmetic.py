import pytest

from chatbot.arithmetic import asks_for_years_between, count_years

BETWEEN = "How many years separate the release of Scikit-learn from Google's launch of TensorFlow?"


@pytest.mark.parametrize(
    "question, expected",
    [
        (BETWEEN, True),
        ("How many years after Theano did Caffe appear?", True),
        ("How long after the GPL was GitHub founded?", True),
        ("When was GitHub founded?", False),
        ("How many tools does the article list?", False),
    ],
)
def test_questions_about_years_between_two_events_are_told_apart(question, expected):
    assert asks_for_years_between(question) is expected


def test_a_missing_count_is_added_from_the_two_years_the_answer_gives():
    answer = "Scikit-learn was released in 2007 [1] and TensorFlow in 2015 [2]."
    counted = count_years(BETWEEN, answer)
    assert counted.text == answer + " That is 8 years, from 2007 to 2015."
    assert "2015 − 2007 = 8" in counted.note


def test_a_wrong_count_is_set_right():
    answer = "Scikit-learn came out in 2007 and TensorFlow in 2015, 6 years apart [1]."
    assert count_years(BETWEEN, answer).text == (
        "Scikit-learn came out in 2007 and TensorFlow in 2015, 8 years apart [1]."
    )


def test_a_year_written_as_the_count_is_set_right_and_not_counted_as_a_year():
    answer = "Scikit-learn (2007) and TensorFlow (2015) are 2015 years apart [1]."
    assert count_years(BETWEEN, answer).text == (
        "Scikit-learn (2007) and TensorFlow (2015) are 8 years apart [1]."
    )


def test_a_count_in_words_is_read_and_a_right_one_left_alone():
    answer = "Theano appeared in 2010 and Caffe in 2013, three years later [1]."
    counted = count_years("How many years after Theano did Caffe appear?", answer)
    assert counted.text == answer
    assert counted.note is None


def test_one_year_apart_is_singular():
    answer = "The GPL came in 2007 [1] and GitHub in 2008 [2]."
    assert count_years("How many years between them?", answer).text.endswith(
        "That is 1 year, from 2007 to 2008."
    )


@pytest.mark.parametrize(
    "answer",
    [
        "TensorFlow was released in 2015 [1].",  # one year: nothing to count from
        "Scikit-learn (2007), Theano (2010) and Caffe (2013) came before TensorFlow (2015) [1].",
        "The documents do not cover this question.",
    ],
)
def test_answers_without_exactly_two_years_are_left_alone(answer):
    counted = count_years(BETWEEN, answer)
    assert counted.text == answer
    assert counted.note is None


def test_other_questions_are_left_alone():
    answer = "Scikit-learn was released in 2007 [1] and TensorFlow in 2015 [2]."
    assert count_years("What did Google release?", answer).text == answer


def test_without_add_only_a_wrong_count_is_set_right():
    answer = "Scikit-learn was released in 2007 [1] and TensorFlow in 2015 [2]."
    assert count_years(BETWEEN, answer, add=False).text == answer
