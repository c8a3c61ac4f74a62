import pytest

from chatbot.arithmetic import (
    Dated,
    asks_for_years_between,
    count_years,
    counted_from,
    two_events,
    year_in,
    years_given,
)

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


@pytest.mark.parametrize(
    "question, events",
    [
        (BETWEEN, ("the release of Scikit-learn", "Google's launch of TensorFlow")),
        (
            "How many years passed between OpenAI's founding and GPT-4 becoming closed-source?",
            ("OpenAI's founding", "GPT-4 becoming closed-source"),
        ),
        (
            "How many years after Theano did Caffe appear, according to the article?",
            ("Theano", "Caffe"),
        ),
        ("How long after the GPL was GitHub founded?", ("the GPL", "GitHub was founded")),
        (  # up to the last auxiliary, not the first
            "How many years after the GNU GPL was introduced was GitHub founded?",
            ("the GNU GPL was introduced", "GitHub was founded"),
        ),
        ("How many years did it take from the GPL to GitHub?", ("the GPL", "GitHub")),
        ("How many years before TensorFlow did it appear?", None),  # "it": an earlier question's
        ("How many years between them?", None),
        ("When was GitHub founded?", None),
    ],
)
def test_the_two_events_of_a_years_between_question(question, events):
    assert two_events(question) == events


def test_years_given_leave_counts_of_years_out():
    assert years_given("Scikit-learn (2007) and TensorFlow (2015) are 2015 years apart.") == [
        2007,
        2015,
    ]
    assert years_given("It took 8 years [1].") == []
    assert (year_in("2007 [2]"), year_in("none"), year_in("In 1989.")) == (2007, None, 1989)


def test_an_answer_written_from_two_dated_events():
    release = Dated("the release of Scikit-learn", 2007, 2)
    launch = Dated("Google's launch of TensorFlow", 2015, 1)
    assert counted_from(release, launch) == (
        "The release of Scikit-learn was in 2007 [2], and Google's launch of TensorFlow in 2015 "
        "[1]. That is 8 years, from 2007 to 2015."
    )
    assert counted_from(launch, release).endswith("That is 8 years, from 2007 to 2015.")
    introduced, founded = (
        Dated("the GNU GPL was introduced", 1989, 1),
        Dated("GitHub was founded", 2008, 2),
    )
    assert counted_from(introduced, founded).startswith(
        "The GNU GPL was introduced in 1989 [1], and GitHub was founded in 2008 [2]."
    )
