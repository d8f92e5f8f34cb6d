"""The portal's first privacy statement and cookie policy, in Dutch and English (version 1 each).

They keep every promise of iLumen's privacy statement of 22 October 2021 (log files, cookies,
sharing with opdrachtgevers, sister companies and subcontractors, the right to see and correct,
deletion by email to ilusmart@ilumen.be, opt-out in every communication, links to other sites)
and say what the portal really stores and which cookies it really sets. The cookie table is the
cookie registry's (privacy/cookies.py) as it stood, frozen like every published version.
"""

from django.db import migrations

from ilusmart import clock

PRIVACY_NL_TITLE = "Privacyverklaring van iLusmart"
PRIVACY_NL = """\
iLusmart is het energieportaal van iLumen: je volgt er de afname en injectie van je digitale meter op, samen met de zonnepanelen en andere producten die iLumen bij je plaatste. iLumen is verantwoordelijk voor de verwerking van je persoonsgegevens in iLusmart. Met elke vraag over je gegevens kan je terecht bij [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be).

Deze verklaring gaat alleen over de gegevens die we via iLusmart verzamelen. Ze houdt de afspraken van de privacyverklaring van iLumen (laatst gewijzigd op 22 oktober 2021) en zegt precies wat de portal doet.

## Welke gegevens we bewaren

- **Je account**: je e-mailadres, je wachtwoord (alleen als onomkeerbare hash, nooit leesbaar), wanneer je account werd aangemaakt en je e-mailadres bevestigd, en wanneer je laatst aanmeldde. Wijzig je je e-mailadres, dan bewaren we het oude en het nieuwe adres met wanneer je de wijziging vroeg en bevestigde.
- **Je profiel**: naam en voornaam, postadres en telefoonnummer.
- **Je sessies**: voor elke browser waarin je aangemeld bent, het soort toestel en browser (afgeleid uit wat je browser meestuurt, niet de volledige tekst), je netwerk (je IP-adres ingekort) en wanneer je aanmeldde en laatst actief was. Zo zie je bij [Waar ben je aangemeld?](/accounts/sessies/) waar je aangemeld bent en kan je andere sessies beëindigen; wie afmeldt, verdwijnt uit de lijst.
- **Je meters en producten**: de EAN-code en het nummer van je digitale meter, de naam die je hem geeft, en de producten van iLumen bij je thuis (zoals het vermogen en aantal van je zonnepanelen, het merk, model en serienummer van je omvormer en de installatiedatum).
- **Je mandaten bij Fluvius**: de toestemming die je iLumen geeft in Mijn Fluvius, met referentie, EAN, periode en status, wanneer je ze aanvroeg en wanneer we ze goedgekeurd zagen. Fluvius kan ons vragen die toestemming te bewijzen.
- **Je afname- en injectiegegevens**: per kwartier, zoals Fluvius ze levert nadat je het mandaat goedkeurde, met de dag- en maandtotalen en pieken die we eruit berekenen. Laad je zelf een CSV-bestand uit Mijn Fluvius op, dan lezen we de waarden in; het bestand zelf bewaren we niet, wel de naam en het resultaat.
- **Storingen en contacten**: storingen die we in je gegevens vaststellen (bijvoorbeeld een omvormer die niet meer levert) en de notities die medewerkers van iLumen maken van een telefoon, e-mail of bezoek.
- **Inzages**: telkens een medewerker van iLumen je gegevens opent, noteren we wie, wanneer en welke pagina (alleen nummers, geen kopie van je gegevens).
- **Aanmeldbeveiliging**: mislukte aanmeldpogingen tellen we per account en per IP-adres (als hash) in een tijdelijk geheugen, dat ze 15 minuten na de laatste poging vergeet (de telling per account na een uur); na een geslaagde aanmelding krijgt je browser een cookie die hem herkent (zie het [cookiebeleid](/cookies/)).

## Logbestanden

Zoals bij bijna elke website houdt de webserver standaard logbestanden bij: op welk moment welke pagina werd opgevraagd, en het IP-adres van de bezoeker. We gebruiken ze alleen om de portal te onderhouden en te beveiligen en om trends te zien. We maken geen analyses van IP-adressen.

## Waarvoor we ze gebruiken

- om je profiel te koppelen aan je digitale meter en aan je producten van iLumen (de uitvoering van onze overeenkomst met jou);
- om je afname- en injectiegegevens te tonen: die halen we bij Fluvius alleen op zolang je mandaat loopt, want je gaf er in Mijn Fluvius uitdrukkelijk toestemming voor;
- om storingen vlot op te volgen en je, als je dat per meter aanzet, te mailen wanneer we er een vinden;
- om de portal en je account te beveiligen en te kunnen aantonen wie je gegevens inzag (ons gerechtvaardigd belang en onze plicht als verantwoordelijke).

## Met wie we gegevens delen

- Je persoonsgegevens en je afname- en injectiegegevens kunnen (ook voor commerciële doeleinden) worden meegedeeld aan de opdrachtgevers die op iLumen beroep doen voor de installatie en het onderhoud van zonnepanelen(installaties).
- iLumen kan gegevens ook overdragen aan derden, maar alleen aan zusterondernemingen, klanten en onderaannemers.
- Fluvius krijgt van ons je EAN en de referentie van je mandaat, om je meetgegevens op te halen.
- We verkopen je gegevens niet.

## Communicatie

iLusmart stuurt je de e-mails die bij de dienst horen: de bevestiging van je e-mailadres, een link om je wachtwoord te herstellen, de link om je meter te verbinden en, als je dat aanzet, een bericht bij een storing. Nieuwsbrieven, enquêtes of informatie van iLumen, per e-mail of per brief, sturen we je alleen als je daarvoor kiest. In elke communicatie van iLumen krijg je duidelijk de mogelijkheid om ze stop te zetten.

## Hoe lang we ze bewaren

- Je account, profiel, meters, producten en meetgegevens zolang je account bestaat, of tot je vraagt ze te verwijderen.
- Je aanmelding loopt af na 7 dagen zonder gebruik en na hoogstens 14 dagen.
- Tellers van mislukte aanmeldpogingen: 15 minuten na de laatste poging, de telling per account een uur.
- Na een verwijdering houden we alleen bij wat we moeten kunnen aantonen, zonder iets dat naar jou leidt: dat er een mandaat met een bepaalde periode bestond en dat het beëindigd werd (voor Fluvius), en welke medewerker wanneer een klantendossier opende (alleen nummers).

## Je rechten

- Je hebt het recht je persoonlijke informatie die bij iLumen is opgeslagen op te vragen en te laten wijzigen. Je profiel pas je zelf aan bij [Mijn gegevens](/accounts/profiel/); voor al het andere mail je naar [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be).
- Wil je je persoonsgegevens en/of je afname- en injectiegegevens tijdelijk of definitief laten verwijderen, stuur dan een e-mail naar [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be). iLumen verwijdert ze dan onmiddellijk. Zodat niemand anders dat in jouw naam kan vragen, kunnen we je vragen het verzoek eerst te bevestigen via het e-mailadres van je account.
- Je mandaat trek je in via Mijn Fluvius; vanaf dan halen we geen nieuwe gegevens meer op.
- Je kan ook bezwaar maken tegen een verwerking, vragen ze te beperken, of je gegevens in een gangbaar formaat opvragen, via hetzelfde adres.
- Ben je niet tevreden over hoe we met je gegevens omgaan, dan kan je een klacht indienen bij de Gegevensbeschermingsautoriteit ([www.gegevensbeschermingsautoriteit.be](https://www.gegevensbeschermingsautoriteit.be)).

## Cookies

De portal zet alleen cookies die nodig zijn om ze te laten werken, en een cookie die de taal onthoudt die je kiest; geen cookies van Google Analytics of van sociale media. Welke en hoe lang lees je in het [cookiebeleid](/cookies/).

## Beveiliging

Verbindingen met de portal zijn versleuteld, wachtwoorden bewaren we alleen als hash, medewerkers melden aan met een tweede factor, en elke inzage van een medewerker in je gegevens wordt genoteerd.

## Links naar andere sites

iLusmart bevat links naar andere sites, zoals Mijn Fluvius. iLumen heeft geen controle over die sites en is niet aansprakelijk voor hun inhoud. Lees de privacyverklaring van elke site die persoonsgegevens verzamelt; deze verklaring gaat alleen over wat iLusmart verzamelt.

## Wijzigingen

Als we deze verklaring wijzigen, publiceren we een nieuwe versie op deze pagina. Eerdere versies blijven hieronder leesbaar, met hun datum."""

PRIVACY_EN_TITLE = "iLusmart privacy statement"
PRIVACY_EN = """\
iLusmart is iLumen's energy portal: you follow the offtake and injection of your digital meter there, together with the solar panels and other products iLumen installed at your home. iLumen is the controller of your personal data in iLusmart. For any question about your data, write to [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be).

This statement covers only the data we collect through iLusmart. It keeps the promises of iLumen's privacy statement (last changed on 22 October 2021) and says exactly what the portal does.

## What we keep

- **Your account**: your email address, your password (only as an irreversible hash, never readable), when your account was created and your email address confirmed, and when you last logged in. If you change your email address, we keep the old and the new address with when you asked for the change and confirmed it.
- **Your profile**: first and last name, postal address and phone number.
- **Your sessions**: for each browser you are logged in on, the kind of device and browser (derived from what your browser sends, not the full text), your network (your IP address shortened) and when you logged in and were last active. So you see under [Where are you logged in?](/accounts/sessies/) where you are logged in and can end the other sessions; logging out removes a session from the list.
- **Your meters and products**: the EAN code and number of your digital meter, the name you give it, and iLumen's products at your home (such as the power and number of your solar panels, the make, model and serial number of your inverter and the installation date).
- **Your mandates at Fluvius**: the consent you give iLumen in Mijn Fluvius, with its reference, EAN, period and status, when you asked for it and when we saw it approved. Fluvius may ask us to prove that consent.
- **Your offtake and injection data**: per quarter-hour, as Fluvius delivers it after you approved the mandate, with the daily and monthly totals and peaks we compute from it. If you upload a CSV file from Mijn Fluvius yourself, we read its values; we do not keep the file itself, only its name and the result.
- **Faults and contacts**: faults we find in your data (for example an inverter that stopped delivering) and the notes iLumen's staff make of a call, email or visit.
- **Access records**: each time a member of iLumen's staff opens your data, we record who, when and which page (numbers only, no copy of your data).
- **Login security**: failed login attempts are counted per account and per IP address (as a hash) in a temporary store that forgets them 15 minutes after the last attempt (the count per account after an hour); after a successful login your browser gets a cookie that recognises it (see the [cookie policy](/cookies/)).

## Log files

Like nearly every website, the web server keeps standard log files: at what moment which page was requested, and the visitor's IP address. We use them only to maintain and secure the portal and to see trends. We do not analyse IP addresses.

## What we use it for

- to link your profile to your digital meter and to your iLumen products (performing our agreement with you);
- to show your offtake and injection data: we fetch it from Fluvius only while your mandate runs, because you explicitly consented to it in Mijn Fluvius;
- to follow up faults quickly and, if you turn it on per meter, to email you when we find one;
- to secure the portal and your account and to be able to show who looked at your data (our legitimate interest and our duty as controller).

## Whom we share data with

- Your personal data and your offtake and injection data may be passed on (also for commercial purposes) to the clients (opdrachtgevers) who call on iLumen to install and maintain solar panel installations.
- iLumen may also transfer data to third parties, but only to sister companies, customers and subcontractors.
- Fluvius receives your EAN and your mandate's reference from us, to fetch your meter data.
- We do not sell your data.

## Communications

iLusmart sends you the emails that come with the service: the confirmation of your email address, a link to reset your password, the link to connect your meter and, if you turn it on, a message about a fault. We send you newsletters, surveys or information from iLumen, by email or by post, only if you choose to receive them. Every communication from iLumen clearly offers you the possibility to stop them.

## How long we keep it

- Your account, profile, meters, products and meter data for as long as your account exists, or until you ask us to delete them.
- Your login ends after 7 days without use and after 14 days at most.
- Counters of failed login attempts: 15 minutes after the last attempt, the count per account an hour.
- After a deletion we keep only what we must be able to show, without anything that leads to you: that a mandate with a given period existed and was ended (for Fluvius), and which member of staff opened a customer file when (numbers only).

## Your rights

- You have the right to ask for the personal information iLumen keeps about you and to have it changed. You correct your profile yourself under [My details](/accounts/profiel/); for everything else, write to [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be).
- If you want your personal data and/or your offtake and injection data deleted, temporarily or for good, send an email to [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be). iLumen then deletes it immediately. So that nobody else can ask this in your name, we may ask you to confirm the request first through your account's email address.
- You withdraw your mandate in Mijn Fluvius; from then on we fetch no new data.
- You may also object to a processing, ask us to restrict it, or ask for your data in a common format, at the same address.
- If you are not satisfied with how we handle your data, you may lodge a complaint with the Belgian Data Protection Authority (Gegevensbeschermingsautoriteit, [www.dataprotectionauthority.be](https://www.dataprotectionauthority.be)).

## Cookies

The portal sets only the cookies it needs to work, and one that remembers the language you choose; no Google Analytics or social media cookies. Which ones and for how long is in the [cookie policy](/cookies/).

## Security

Connections to the portal are encrypted, passwords are kept only as a hash, staff log in with a second factor, and every time staff look at your data it is recorded.

## Links to other sites

iLusmart contains links to other sites, such as Mijn Fluvius. iLumen has no control over those sites and accepts no liability for their content. Read the privacy statement of every site that collects personal data; this statement covers only what iLusmart collects.

## Changes

When we change this statement, we publish a new version on this page. Earlier versions stay readable below, with their dates."""

COOKIES_NL_TITLE = "Cookiebeleid van iLusmart"
COOKIES_NL = """\
## Wat zijn cookies?

Cookies zijn kleine data- of tekstbestanden die op je computer of mobiel apparaat worden bewaard als je een website bezoekt. Een cookie bevat een code waarmee de website je browser herkent tijdens je bezoek of bij een later bezoek. Cookies kunnen geplaatst worden door de website zelf of door derden die met de website samenwerken.

## Wie is verantwoordelijk?

iLumen is als enige verantwoordelijk voor het cookiebeleid en de cookies van iLusmart. Met vragen kan je terecht bij [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be).

## Welke cookies zet iLusmart?

iLusmart zet alleen eigen cookies (first-party) die nodig zijn om de portal te laten werken en om de taal te onthouden die je zelf kiest. Wat erin staat blijft bij iLumen en wordt niet met derden gedeeld. Voor zulke cookies is geen toestemming nodig; je kan ze wel altijd verwijderen (zie onder).

| Naam | Waarvoor | Categorie | Hoe lang |
| sessionid | Houdt je aangemeld terwijl je de portal gebruikt. | strikt noodzakelijk | tot 7 dagen zonder gebruik, hoogstens 14 dagen; voor medewerkers 30 minuten en 8 uur |
| csrftoken | Beveiliging: bewijst dat een formulier echt van de portal komt (tegen CSRF). | strikt noodzakelijk | 52 weken |
| ilusmart_device | Beveiliging: herkent een browser waarin je al eens aanmeldde, zodat een aanval op je account je daar niet buitensluit. Bevat het nummer van je account en een willekeurige code, ondertekend tegen vervalsing. | strikt noodzakelijk | 180 dagen |
| messages | Toont een melding op de volgende pagina (bv. 'Je gegevens zijn bewaard') en verdwijnt dan. | strikt noodzakelijk | tot de melding getoond is |
| django_language | Onthoudt de taal die je zelf koos (Nederlands of Engels). | functioneel | tot je de browser sluit |

iLusmart zet geen cookies van Google Analytics en geen cookies van sociale media (Facebook, X, LinkedIn). Komen er ooit zulke cookies, dan vragen we eerst je toestemming, kan je ze even makkelijk weigeren als aanvaarden, en publiceren we een nieuwe versie van dit beleid.

## Hoe verwijder je cookies?

Je kan cookies zelf bekijken, weigeren of verwijderen in de instellingen van je browser (Google Chrome, Mozilla Firefox, Safari, Microsoft Edge …). Zonder de strikt noodzakelijke cookies kan je niet aanmelden.

## Wijzigingen

Verandert de lijst van cookies, dan publiceren we een nieuwe versie van dit beleid op deze pagina. Eerdere versies blijven hieronder leesbaar, met hun datum."""

COOKIES_EN_TITLE = "iLusmart cookie policy"
COOKIES_EN = """\
## What are cookies?

Cookies are small data or text files that are stored on your computer or mobile device when you visit a website. A cookie holds a code with which the website recognises your browser during your visit or on a later one. Cookies can be set by the website itself or by third parties working with it.

## Who is responsible?

iLumen alone is responsible for the cookie policy and the cookies of iLusmart. For questions, write to [ilusmart@ilumen.be](mailto:ilusmart@ilumen.be).

## Which cookies does iLusmart set?

iLusmart sets only its own (first-party) cookies that it needs to work and to remember the language you choose yourself. What they hold stays with iLumen and is not shared with third parties. Such cookies need no consent; you can always delete them (see below).

| Name | Purpose | Category | How long |
| sessionid | Keeps you logged in while you use the portal. | strictly necessary | up to 7 days without use, at most 14 days; for staff 30 minutes and 8 hours |
| csrftoken | Security: proves that a form really comes from the portal (against CSRF). | strictly necessary | 52 weeks |
| ilusmart_device | Security: recognises a browser you logged in from before, so that an attack on your account does not lock you out there. Holds your account's number and a random code, signed against forgery. | strictly necessary | 180 days |
| messages | Shows a message on the next page (e.g. 'Your details have been saved') and then disappears. | strictly necessary | until the message has been shown |
| django_language | Remembers the language you chose yourself (Dutch or English). | functional | until you close the browser |

iLusmart sets no Google Analytics cookies and no social media cookies (Facebook, X, LinkedIn). Should such cookies ever come, we will ask for your consent first, you will be able to refuse them as easily as accept them, and we will publish a new version of this policy.

## How do you delete cookies?

You can view, refuse or delete cookies yourself in your browser's settings (Google Chrome, Mozilla Firefox, Safari, Microsoft Edge …). Without the strictly necessary cookies you cannot log in.

## Changes

When the list of cookies changes, we publish a new version of this policy on this page. Earlier versions stay readable below, with their dates."""

DOCUMENTS = [
    ("privacy", "nl", PRIVACY_NL_TITLE, PRIVACY_NL),
    ("privacy", "en", PRIVACY_EN_TITLE, PRIVACY_EN),
    ("cookies", "nl", COOKIES_NL_TITLE, COOKIES_NL),
    ("cookies", "en", COOKIES_EN_TITLE, COOKIES_EN),
]


def publish_first_versions(apps, schema_editor):
    PolicyDocument = apps.get_model("privacy", "PolicyDocument")
    now = clock.now().replace(microsecond=0)
    for kind, language, title, body in DOCUMENTS:
        if PolicyDocument.objects.filter(kind=kind, language=language, version=1).exists():
            continue
        PolicyDocument.objects.create(
            kind=kind,
            language=language,
            version=1,
            title=title,
            body=body,
            status="published",
            created_at=now,
            updated_at=now,
            published_at=now,
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_policy_permissions")]
    operations = [migrations.RunPython(publish_first_versions, migrations.RunPython.noop)]
