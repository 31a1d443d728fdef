"""What operations looks at: one dashboard, and alarms that page through one SNS topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.api import AppFunction
from infra.constructs.jobs import NightlyJob
from infra.settings import METRICS_NAMESPACE, SERVICE_NAME, StageSettings

FIVE_MINUTES = Duration.minutes(5)
SERVER_ERROR_RATE_THRESHOLD = 0.01  # 1 % of requests answered 5xx
ITERATOR_AGE_THRESHOLD_MS = 60_000  # the stream is a minute behind
# What the stream function reports per batch (chalicelib.core.stream.STREAM_METRICS).
STREAM_COUNTS = (
    "StreamRecordsProcessed",
    "StreamRecordsFailed",
    "StreamDuplicatesSkipped",
    "StreamRecordsParked",
    "StreamEventsDeadLettered",
)
STREAM_ITERATOR_AGE = "StreamIteratorAge"


NEAR_TIMEOUT = 0.8  # a scheduled function's run past 80% of its timeout


class Operations(Construct):
    """Dashboard for the whole backend; alarms on 5xx rate, iterator age, failing stream
    records, DLQs, timer failures, scheduled functions' errors and near-timeouts, jobs not
    started, value model alarms."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: StageSettings,
        key: kms.IKey,
        api_name: str,
        api_stage: str,
        functions: Sequence[AppFunction],
        stream_function: AppFunction,
        dead_letter_queues: Mapping[str, sqs.IQueue],
        state_machine: sfn.IStateMachine,
        jobs: Sequence[NightlyJob] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            topic_name=f"crm-{stage.name}-alarms",
            display_name=f"CRM {stage.name} alarms",
            master_key=key,
            enforce_ssl=True,
        )
        self.alarms: list[cw.Alarm] = []
        api_dims = {"ApiName": api_name, "Stage": api_stage}

        def api_metric(name: str, statistic: str) -> cw.Metric:
            return cw.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map=api_dims,
                statistic=statistic,
                period=FIVE_MINUTES,
            )

        # 5XXError's Average is the share of requests that failed with 5xx.
        server_error_rate = api_metric("5XXError", "Average")
        self._alarm(
            "ApiServerErrorRate",
            server_error_rate,
            threshold=SERVER_ERROR_RATE_THRESHOLD,
            evaluation_periods=3,
            datapoints=2,
            description="More than 1% of API requests answered 5xx",
        )
        iterator_age = stream_function.function.metric(
            "IteratorAge", statistic="Maximum", period=Duration.minutes(1)
        )
        self._alarm(
            "StreamIteratorAge",
            iterator_age,
            threshold=ITERATOR_AGE_THRESHOLD_MS,
            evaluation_periods=5,
            datapoints=3,
            description="The stream consumer is more than a minute behind the table",
        )
        stream_counts = {
            name: _crm_metric(name, "Sum", Duration.minutes(1)).with_(
                label=name.removeprefix("Stream")
            )
            for name in STREAM_COUNTS
        }
        # Failed records come back with their batch; failures for minutes on end mean a record
        # that will not pass (before it reaches the stream DLQ) or a dependency that is down.
        self._alarm(
            "StreamRecordsFailing",
            _crm_metric("StreamRecordsFailed", "Sum", Duration.minutes(1)),
            threshold=0,
            evaluation_periods=5,
            datapoints=3,
            description="Stream records keep failing (they are retried, then dead-lettered)",
        )
        dlq_depths: list[cw.IMetric] = []
        for label, queue in dead_letter_queues.items():
            depth = queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(1), statistic="Maximum"
            )
            dlq_depths.append(depth.with_(label=label))
            self._alarm(
                f"Dlq{label}",
                depth,
                threshold=0,
                description=f"Messages in the {label} dead-letter queue",
            )
        timer_failures = state_machine.metric_failed(period=FIVE_MINUTES, statistic="Sum")
        self._alarm(
            "TimerExecutionsFailed",
            timer_failures,
            threshold=0,
            description="A follow-up/SLA timer execution failed",
        )
        job_durations: list[cw.IMetric] = []
        for item in _job_functions(functions, jobs):
            job_durations.append(
                item.function.metric_duration(statistic="Maximum", period=FIVE_MINUTES)
            )
            self._job_function_alarms(item, [job.name for job in jobs if _runs(item, job)])
        scheduled = {
            name: _crm_metric(name, "Sum", Duration.hours(1))
            for name in ("ScheduledJobsStarted", "ScheduledJobsNotStarted")
        }
        self._alarm(
            "ScheduledJobsNotStarted",
            scheduled["ScheduledJobsNotStarted"],
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description="A scheduled job could not start for a tenant (the run is retried, "
            "then dead-lettered); the nightly function's log names the tenant",
        )
        value_models = {
            name: _crm_metric(name, "Sum", Duration.days(1))
            for name in ("ValueModelAlarms", "ValueFitKept")
        }
        self._alarm(
            "ValueModelAlarms",
            value_models["ValueModelAlarms"],
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description="A tenant's value models raised an alarm in the last day: too few "
            "repeat buyers, a failed fit or backtest (last night's parameters kept, see ValueFitKept), "
            "or spend correlated with frequency (CLV low-confidence); the log names the tenant",
        )
        self._alarm(
            "SlaCalendarFallback",
            _crm_metric("SlaCalendarFallback", "Sum", Duration.hours(1)),
            threshold=1,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            description="An SLA deadline ran into a year whose mainland China holidays the "
            "chinese-calendar package does not know yet: plain weekdays were used; upgrade the "
            "package (pyproject) once the State Council announces the year; the log names it",
        )
        customers_scored = _crm_metric("CustomersScored", "Sum", Duration.hours(1))

        self.dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"crm-{stage.name}")
        self.dashboard.add_widgets(
            _graph(
                "API requests and errors",
                [api_metric("Count", "Sum")],
                [api_metric("4XXError", "Sum"), api_metric("5XXError", "Sum")],
            ),
            _graph("API latency", [api_metric("Latency", "p50"), api_metric("Latency", "p99")]),
            _graph("API 5xx rate", [server_error_rate]),
        )
        for item in functions:
            fn = item.function
            cold_starts = cw.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name="ColdStart",
                dimensions_map={"function_name": item.name, "service": SERVICE_NAME},
                statistic="Sum",
                period=FIVE_MINUTES,
            )
            self.dashboard.add_widgets(
                _graph(
                    f"{item.name}: errors, throttles, cold starts",
                    [
                        fn.metric_errors(statistic="Sum", period=FIVE_MINUTES),
                        fn.metric_throttles(statistic="Sum", period=FIVE_MINUTES),
                        cold_starts,
                    ],
                ),
                _graph(
                    f"{item.name}: duration",
                    [
                        fn.metric_duration(statistic="p50", period=FIVE_MINUTES),
                        fn.metric_duration(statistic="p99", period=FIVE_MINUTES),
                    ],
                ),
            )
        self.dashboard.add_widgets(
            _graph(
                "Stream records per minute",
                [stream_counts["StreamRecordsProcessed"]],
                [
                    stream_counts["StreamRecordsFailed"],
                    stream_counts["StreamDuplicatesSkipped"],
                    stream_counts["StreamRecordsParked"],
                    stream_counts["StreamEventsDeadLettered"],
                ],
            ),
            _graph(
                "Stream iterator age (ms)",
                [
                    iterator_age,
                    _crm_metric(STREAM_ITERATOR_AGE, "Maximum", Duration.minutes(1)).with_(
                        label="newest record of a batch, at arrival"
                    ),
                ],
            ),
            _graph("Dead-letter queue depth", dlq_depths),
            _graph(
                "Timer executions",
                [
                    timer_failures,
                    state_machine.metric_timed_out(period=FIVE_MINUTES, statistic="Sum"),
                    state_machine.metric_aborted(period=FIVE_MINUTES, statistic="Sum"),
                ],
            ),
        )
        jobs_widget: cw.IWidget = (
            _graph("Nightly job duration (ms)", job_durations)
            if job_durations
            else cw.TextWidget(
                markdown="**Nightly jobs**: none deployed yet (see `CrmStack.nightly_jobs`).",
                width=8,
                height=6,
            )
        )
        self.dashboard.add_widgets(
            jobs_widget,
            _graph("Customers scored", [customers_scored]),
            _graph(
                "Scheduled jobs: tenants started / not started (per hour)",
                [scheduled["ScheduledJobsStarted"]],
                [scheduled["ScheduledJobsNotStarted"]],
            ),
            _graph(
                "Value models: alarms / fits that kept last night's parameters (per day)",
                [value_models["ValueModelAlarms"], value_models["ValueFitKept"]],
            ),
        )

    def _job_function_alarms(self, item: AppFunction, jobs: Sequence[str]) -> None:
        """A scheduled function's runs and steps: any error, and a run near its timeout."""
        fn = item.function
        self._alarm(
            f"{item.logical_id}Errors",
            fn.metric_errors(statistic="Sum", period=FIVE_MINUTES),
            threshold=0,
            description=f"{item.name} failed (scheduled jobs: {', '.join(jobs)}; or a job step "
            "it ran for the timer machine)",
        )
        self._alarm(
            f"{item.logical_id}NearTimeout",
            fn.metric_duration(statistic="Maximum", period=FIVE_MINUTES),
            threshold=item.timeout_seconds * 1000 * NEAR_TIMEOUT,
            description=f"{item.name} ran longer than {NEAR_TIMEOUT:.0%} of its "
            f"{item.timeout_seconds} s timeout: a scheduled run or a tenant's job step will "
            "soon time out",
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cw.IMetric,
        *,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
        datapoints: int = 1,
        comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints,
            comparison_operator=comparison,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm


def _crm_metric(name: str, statistic: str, period: Duration = FIVE_MINUTES) -> cw.Metric:
    """A metric our functions write (EMF, namespace and `service` dimension of settings)."""
    return cw.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE_NAME},
        statistic=statistic,
        period=period,
    )


def _runs(item: AppFunction, job: NightlyJob) -> bool:
    return item.function.node.path == job.function.node.path


def _job_functions(
    functions: Sequence[AppFunction], jobs: Sequence[NightlyJob]
) -> list[AppFunction]:
    """The app's functions that scheduled jobs invoke, each once."""
    return [item for item in functions if any(_runs(item, job) for job in jobs)]


def _graph(
    title: str, left: Sequence[cw.IMetric], right: Sequence[cw.IMetric] = ()
) -> cw.GraphWidget:
    return cw.GraphWidget(title=title, left=list(left), right=list(right), width=8, height=6)
