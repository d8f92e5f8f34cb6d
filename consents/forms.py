from django import forms

from consents.models import CommunicationConsent

Channel = CommunicationConsent.Channel
Topic = CommunicationConsent.Topic


def field_name(channel: str, topic: str) -> str:
    return f"{channel}_{topic}"


class CommunicationsForm(forms.Form):
    """One unticked box per channel and topic; a box is ticked only where the person said yes."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        current = {(c.channel, c.topic): c.opted_in for c in choices}
        for channel in Channel:
            for topic in Topic:
                self.fields[field_name(channel, topic)] = forms.BooleanField(
                    label=topic.label.capitalize(),
                    required=False,
                    initial=current.get((channel.value, topic.value), False),
                )

    def channels(self):
        """The boxes grouped per channel, for one fieldset each."""
        return [(channel.label, [self[field_name(channel, topic)] for topic in Topic]) for channel in Channel]

    def answers(self) -> dict:
        return {
            (channel.value, topic.value): self.cleaned_data[field_name(channel, topic)]
            for channel in Channel
            for topic in Topic
        }
