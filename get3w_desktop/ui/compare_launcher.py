"""Task › Compare models or seeds…: the comparison window, opened from the main window's form.

One non-modal window, built on first use (its module loads only then: start-up never pays
for it) and reused: each opening brings the form's model, parameters and the profile along.
A task opened in it is selected in the main window; parameters taken from it go to
`use_params` (the main window loads them and says so).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from get3w_desktop.workers.thumbnails import ThumbnailLoader

if TYPE_CHECKING:
    from get3w_desktop.ui.compare_window import CompareWindow
    from get3w_desktop.ui.main_window import MainWindow


class CompareLauncher:
    def __init__(
        self,
        window: MainWindow,
        thumbnails: ThumbnailLoader,
        use_params: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self._window, self._thumbnails, self._use_params = window, thumbnails, use_params
        self.compare: CompareWindow | None = None

    def open(self) -> CompareWindow | None:
        """The comparison window, shown and raised (None while no model is chosen)."""
        window = self._window
        model = window.generate_panel.model
        if model is None:
            return None
        if self.compare is None:
            from get3w_desktop.ui.compare_window import CompareWindow  # loads when first used

            self.compare = CompareWindow(
                window.catalogue, window.book, self._thumbnails, model.model_id,
                window.form.values(), profile=window.service.profile,
                spend_check=window.caps_message, parent=window,
                confirm_above=lambda: window.generate_panel.confirm_above,
            )  # fmt: skip
            self.compare.open_job.connect(self._open_job)
            self.compare.use_params.connect(self._use_params)
        else:
            self.compare.set_form(model.model_id, window.form.values())
            self.compare.set_profile(window.service.profile)
        self.compare.show()
        self.compare.raise_()
        self.compare.activateWindow()
        return self.compare

    def set_profile(self, profile: str) -> None:
        """New tasks go to `profile`: the comparison (when open once) sends there too."""
        if self.compare is not None:
            self.compare.set_profile(profile)

    def _open_job(self, local_id: str) -> None:
        window = self._window
        window.select_job(local_id)
        window.raise_()
        window.activateWindow()
