import json

import pytest

from chatbot.cli import main
from chatbot.errors import ChatbotError
from chatbot.evaluation import (
    EvalItem,
    ItemResult,
    evaluate,
    holds_gold,
    keywords_match,
    load_items,
    summarise,
)
from chatbot.pipeline import Chatbot

ITEMS = [
    {
        "id": "a",
        "question": "Who introduced the GNU General Public License?",
        "kind": "factoid",
        "answerable": True,
        "gold_quotes": ["introduced by Richard\nStallman in 1989"],
        "answer_keywords": [["Stallman"], ["1989"]],
    },
    {
        "id": "b",
        "question": "When was GitHub founded?",
        "kind": "date",
        "answerable": True,
        "gold_quotes": ["GitHub was founded in 2008"],
        "answer_keywords": [["2008"]],
    },
    {
        "id": "c",
        "question": "Who won the football world cup?",
        "kind": "unanswerable",
        "answerable": False,
        "gold_quotes": [],
        "answer_keywords": [["not cover"]],
    },
]


@pytest.fixture
def eval_file(tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in ITEMS) + "\n")
    return path


def test_gold_quotes_match_across_line_wrapping():
    assert holds_gold(
        "was introduced by Richard Stallman in 1989.", ["introduced by Richard\nStallman in 1989"]
    )
    assert not holds_gold("Stallman", ["introduced by Richard Stallman"])


def test_keyword_groups_need_one_alternative_each():
    assert keywords_match("Richard Stallman, 1989", [["Stallman"], ["1989", "eighty-nine"]])
    assert not keywords_match("Richard Stallman", [["Stallman"], ["1989"]])


def test_a_malformed_line_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "question": "q", "answer_keywords": [["a"]]}\n{"id": "y"}\n')
    with pytest.raises(ChatbotError, match=r"bad.jsonl:2"):
        load_items(path)


@pytest.mark.parametrize("groups", ["[]", "[[]]", None])
def test_an_item_without_keyword_groups_is_rejected(tmp_path, groups):
    """all() of no groups is true: such an item would score every answer as correct."""
    path = tmp_path / "no-groups.jsonl"
    keywords = "" if groups is None else f', "answer_keywords": {groups}'
    path.write_text(f'{{"id": "u1", "question": "q", "answerable": false{keywords}}}\n')
    with pytest.raises(ChatbotError, match=r"no-groups.jsonl:1 has no answer_keywords"):
        load_items(path)


def test_keywords_never_match_without_groups():
    assert not keywords_match("anything at all", [])
    assert keywords_match("It doesn’t say.", [["n't say"]])


def test_retrieval_only_measures_recall_without_the_model(config, embedder, echo_llm, eval_file):
    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    summary, results = evaluate(bot, load_items(eval_file), retrieval_only=True)
    assert summary["retrieval"]["items"] == 2
    assert summary["retrieval"]["recall@10"] == 1.0
    assert [r.gold_rank is not None for r in results] == [True, True, False]
    assert echo_llm.calls == [] and "answers" not in summary


def test_full_evaluation_scores_answers_citations_and_refusals(
    config, embedder, echo_llm, eval_file
):
    echo_llm.reply = "Richard Stallman in 1989 [1]."
    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    summary, results = evaluate(bot, load_items(eval_file))
    assert results[0].correct and not results[1].correct  # the echo reply answers only the first
    assert summary["answers"]["accuracy"] == 0.5
    assert summary["answers"]["refusal_rate_unanswerable"] == 1.0
    assert results[0].cited_with_gold == 1
    assert summary["latency_s"]["first_token_p50"] is not None
    assert results[0].reading_s <= results[0].first_token_s
    assert results[0].prompt_tokens > 0


def test_a_confident_answer_to_an_unanswerable_question_is_not_a_refusal(
    config, embedder, echo_llm, tmp_path
):
    """Even when the answer holds the item's keywords, only a refusal counts as one."""
    path = tmp_path / "unanswerable.jsonl"
    item = {
        "id": "u1",
        "question": "Under which license is GitHub published?",
        "kind": "unanswerable",
        "answerable": False,
        "answer_keywords": [["not cover", "license"]],
    }
    path.write_text(json.dumps(item) + "\n")
    echo_llm.reply = "GitHub was founded in 2008 and is published under the MIT license [1]."
    bot = Chatbot(config, embedder=embedder, llm=echo_llm, progress=False)
    summary, results = evaluate(bot, load_items(path))
    assert results[0].refused is False
    assert summary["answers"]["refusal_rate_unanswerable"] == 0.0
    echo_llm.reply = "The article does not say which license GitHub uses."
    summary, _ = evaluate(bot, load_items(path))
    assert summary["answers"]["refusal_rate_unanswerable"] == 1.0


def test_the_eval_command_prints_a_table_and_writes_json(
    cli_env, fake_models, eval_file, tmp_path, capsys
):
    out_file = tmp_path / "out.json"
    assert main(["eval", str(eval_file), "--retrieval-only", "--json", str(out_file)]) == 0
    assert "retrieval.recall@5" in capsys.readouterr().out
    data = json.loads(out_file.read_text())
    assert data["summary"]["items"] == 3 and len(data["items"]) == 3


def test_citation_recall_counts_sentences_with_a_supporting_citation():
    from chatbot.answering import Answer, Citation
    from chatbot.chunking import Chunk
    from chatbot.evaluation import sentence_citation_recall
    from chatbot.retrieval import Passage

    text = "GitHub was founded in 2008 and hosts code."
    passage = Passage(Chunk("d#0", "d", text, 0, len(text), ""), "Doc", 1.0, 0.5, 1.0)
    answer = Answer(
        question="q",
        text="GitHub was founded in 2008 [1]. It also sells bananas [1]. Yes.",
        citations=(Citation(1, passage),),
        passages=(passage,),
        refused=False,
    )
    assert sentence_citation_recall(answer) == (2, 1)


def test_a_refusal_holding_the_keywords_is_not_a_right_answer():
    item = EvalItem(
        "f1", "Why did Google release PyTorch?", "false_premise", True, (), (("Meta",),)
    )
    refused = ItemResult(
        item, answer="Not covered. What they do say: Meta …", correct=True, refused=True
    )
    answered = ItemResult(item, answer="It was Meta.", correct=True, refused=False)
    assert summarise([refused], False)["answers"]["accuracy"] == 0.0
    assert summarise([refused], False)["answers"]["false_premise_correction"] == 0.0
    assert summarise([answered], False)["answers"]["false_premise_correction"] == 1.0
