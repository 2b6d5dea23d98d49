"""Court results as the courts send them (Common Platform resulted hearings, Libra SPI results) translated
into yjflow's court-outcome contract, with the mapping as data (`results.toml`, and a deployment's
`court_centres.toml`). Pure: the caller reads the files and passes their text in."""

from domain.court_results.common_platform import translate_common_platform
from domain.court_results.hearing import (
    Defendant,
    Ignored,
    MessageRefused,
    NeedsCorrection,
    ResultProblem,
    Translated,
    TranslationResult,
)
from domain.court_results.mapping import (
    CourtCentre,
    MappingError,
    ResultMapping,
    parse_court_centres,
    parse_result_mapping,
)
from domain.court_results.spi import MAX_SPI_BYTES, parse_spi, translate_spi

__all__ = [
    "MAX_SPI_BYTES",
    "CourtCentre",
    "Defendant",
    "Ignored",
    "MappingError",
    "MessageRefused",
    "NeedsCorrection",
    "ResultMapping",
    "ResultProblem",
    "Translated",
    "TranslationResult",
    "parse_court_centres",
    "parse_result_mapping",
    "parse_spi",
    "translate_common_platform",
    "translate_spi",
]
