"""What the bot tells a leaver about who sees what, per audience, in Dutch and English, on every
surface where it says it: the invitation, the intro, the two consent questions, the summary before
sending, the goodbye and the App Home. And nothing stronger than what the code does (issue 11: "Your
name and everything that could identify you is left out" was not true).
"""

from __future__ import annotations

import pytest

from tests.conftest import LEAVER, LEAVER_EN, MANAGER
from tests.steps import answer_everything, fill_step, invite, last_view, latest

# The key sentence per audience, as the leaver reads it.
PROMISES = {
    "nl": {
        "invitation": {
            "hr": "*HR* leest je antwoorden",
            "manager": "*Je directe leidinggevende* ziet niets van je antwoorden, tenzij je daar in een aparte vraag "
                       "uitdrukkelijk ja op zegt; dan krijgt die na je laatste werkdag een bericht van HR met je naam",
            "channel": "*Het managementkanaal* krijgt alleen wat HR heeft goedgekeurd, en nooit vóór je laatste "
                       "werkdag: scores als totalen over minstens 3 vertrekkers",
            "removed": "namen, contactgegevens en precieze datums zijn vervangen",
        },
        "intro": {
            "hr": "HR leest al je antwoorden.",
            "manager": "Je directe leidinggevende krijgt er niets van te zien, tenzij je ja zegt op de aparte vraag",
            "channel": "pas na je laatste werkdag",
        },
        "consent": {
            "channel": "Mag HR citaten uit je geschreven antwoorden zonder je naam delen in het managementkanaal?",
            "removed": "Namen van mensen, e-mailadressen, telefoonnummers, IBAN's, BSN's, adressen, links en "
                       "precieze datums vervangen we; andere details (een maand, een plaats, een situatie) blijven",
        },
        "manager_feedback": {
            "manager": "Mag HR je feedback met je naam erbij doorgeven aan je directe leidinggevende?",
            "named": "Je leidinggevende weet dus dat het van jou komt.",
            "no": "Nee, of sla je de vraag over: je leidinggevende krijgt niets van je antwoorden te zien",
        },
        "summary": {
            "hr": "HR leest al je antwoorden hieronder.",
            "manager": "*Wat je directe leidinggevende krijgt:* niets van je antwoorden",
            "channel": "*Wat het managementkanaal mag krijgen* (je gaf toestemming voor citaten)",
        },
        "goodbye": {
            "hr": "HR leest je antwoorden.",
            "manager": "Je directe leidinggevende krijgt alleen feedback als je daar ja op zei, met je naam erbij",
            "channel": "het managementkanaal alleen wat HR goedkeurde, samen met andere vertrekkers en na je "
                       "laatste werkdag",
        },
        "home": {
            "hr": "HR leest de antwoorden.",
            "manager": "De directe leidinggevende van een vertrekker ziet ze alleen als die vertrekker daar "
                       "uitdrukkelijk ja op zegt",
            "channel": "cijfers over minstens 3 vertrekkers",
        },
    },
    "en": {
        "invitation": {
            "hr": "*HR* reads your answers",
            "manager": "*Your direct manager* sees none of your answers unless you explicitly say yes to that in a "
                       "separate question; then they get a message from HR with your name on it, after your last "
                       "working day",
            "channel": "*The managers' channel* only gets what HR approved, and never before your last working day: "
                       "scores as totals over at least 3 leavers",
            "removed": "names, contact details and exact dates replaced",
        },
        "intro": {
            "hr": "HR reads all your answers.",
            "manager": "Your direct manager sees none of them unless you say yes to the separate question",
            "channel": "only after your last working day",
        },
        "consent": {
            "channel": "May HR share quotes from your written answers in the managers' channel, without your name?",
            "removed": "We replace names of people, e-mail addresses, phone numbers, IBANs, BSNs, street addresses, "
                       "links and exact dates; other details (a month, a place, a situation) stay",
        },
        "manager_feedback": {
            "manager": "May HR pass your feedback on to your direct manager, with your name?",
            "named": "So your manager will know it comes from you.",
            "no": "No, or skip this question: your manager sees none of your answers",
        },
        "summary": {
            "hr": "HR reads all your answers below.",
            "manager": "*What your direct manager gets:* none of your answers",
            "channel": "*What the managers' channel may get* (you agreed to quotes)",
        },
        "goodbye": {
            "hr": "HR reads your answers.",
            "manager": "Your direct manager only gets feedback if you said yes to that, with your name on it",
            "channel": "the managers' channel only what HR approved, together with other leavers' and after your "
                       "last working day",
        },
        "home": {
            "hr": "HR reads the answers.",
            "manager": "A leaver's direct manager sees them only if that leaver explicitly agrees",
            "channel": "figures over at least 3 leavers",
        },
    },
}
# Promises the bot cannot keep: the anonymiser does not remove everything that could identify someone.
TOO_STRONG = {
    "nl": ["alles waaraan je herkend kunt worden", "nooit je naam"],
    "en": ["anything that could identify you", "never your name"],
}


@pytest.mark.parametrize(("language", "leaver"), [("nl", LEAVER), ("en", LEAVER_EN)])
def test_every_surface_says_who_sees_what_per_audience(harness, slack, language, leaver):
    promises = PROMISES[language]
    summary = answer_everything(harness, leaver, improvements="Meer overleg / more talking.", manager=MANAGER,
                                consent=True, manager_consent=False, submit=False)
    dms = slack.dms_to(leaver)
    shown = {
        "invitation": "",  # rewritten in place once the leaver chose; see the test below
        "intro": str(dms[1].blocks),
    }
    # The permission questions and their help are in the last step's form; *Change* opens it again.
    interview_id = summary.blocks[-1]["elements"][0]["value"].split("|")[0]
    fill_step(harness, leaver, {}, action_id="q:change", message=summary, value=f"{interview_id}|improvements|")
    form = str(last_view(harness)["blocks"])
    shown["consent"] = shown["manager_feedback"] = form
    summary = slack.message(summary.channel, summary.ts)
    shown["summary"] = str(summary.blocks)
    harness.user.click(leaver, summary, "q:submit")
    harness.wait_for_stage(leaver, "submitted")
    shown["goodbye"] = str(latest(slack, leaver).blocks)
    harness.user.open_home(leaver)
    shown["home"] = str(slack.workspace.home_views[leaver]["blocks"])

    for surface, sentences in promises.items():
        if surface == "invitation":
            continue
        for audience, sentence in sentences.items():
            assert sentence in shown[surface], (surface, audience)
    everything = " ".join(shown.values())
    for claim in TOO_STRONG[language]:
        assert claim not in everything


@pytest.mark.parametrize(("language", "leaver"), [("nl", LEAVER), ("en", LEAVER_EN)])
def test_the_invitation_says_who_sees_what_per_audience(harness, slack, language, leaver):
    shown = str(invite(harness, leaver, manager=MANAGER).blocks)
    for audience, sentence in PROMISES[language]["invitation"].items():
        assert sentence in shown, audience
    for claim in TOO_STRONG[language]:
        assert claim not in shown


def test_the_invitation_names_the_configured_group_size(harness, slack):
    harness.restart(digest_min_interviews=5)
    assert "scores als totalen over minstens 5 vertrekkers" in str(invite(harness, LEAVER).blocks)


def test_the_summary_says_what_the_manager_gets_after_a_yes(harness, slack):
    summary = answer_everything(harness, LEAVER, manager=MANAGER, manager_consent=True, submit=False)
    assert "*Wat je directe leidinggevende krijgt* (je zei ja): na je laatste werkdag een bericht van HR met je " \
           "naam erbij" in str(summary.blocks)
