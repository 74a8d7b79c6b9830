-- One row per target fact (status = 'target'): the target against the latest reading of
-- the same indicator, region, measure and unit, and the state of its progress.
--
-- actual_*: the latest actual or estimate for the target's own period (the same
--   period_start and period_end, or an as_of figure on its last day), latest page first,
--   an actual before an estimate of the same date. When there is none, for a `level` or
--   `count` target, the latest actual for an earlier period of a comparable grain (a year
--   or a day for a year or as_of target, the target's own grain otherwise): progress so
--   far. Growth rates and shares are compared for the target's period only.
-- baseline_*: where the straight line to the target starts: of the like-for-like actuals
--   for periods that ended before the actual's, the latest that ended by the target's
--   page date (the figure the plan started from), else the earliest of them.
-- progress_as_of_date: "today" for expired_unknown, deterministic: var('progress_as_of')
--   when set (YYYY-MM-DD), else the newest published_at of an accepted page not set
--   aside in dim_document (the warehouse knows nothing later). Never current_date.
-- A target qualified `at_most` (不超过) is met at or below its value; every other one at
-- or above it.

with

facts as (

    select
        fact_id,
        indicator_id,
        region_id,
        measure,
        unit,
        status,
        qualifier,
        period_grain,
        period_start,
        period_end,
        value,
        source_url,
        evidence,
        source_published_at

    from {{ ref('int_facts_collapsed') }}

),

documents as (

    select * from {{ ref('dim_document') }}

),

as_of as (

    {% if var('progress_as_of', none) %}
    select cast('{{ var("progress_as_of") }}' as date) as progress_as_of_date
    {% else %}
    select max(published_at) as progress_as_of_date
    from documents
    where status = 'ok'
        and excluded_reason is null
    {% endif %}

),

targets as (

    select * from facts
    where status = 'target'

),

readings as (

    select * from facts
    where status in ('actual', 'estimate')

),

-- every reading of the same indicator, region, measure and unit that may stand for the
-- target: for its own period (is_same_period) or, actuals only, for an earlier one
candidates as (

    select
        targets.fact_id as target_fact_id,
        readings.*,
        (
            (readings.period_start = targets.period_start
                and readings.period_end = targets.period_end)
            or (readings.period_grain = 'as_of'
                and readings.period_end = targets.period_end)
        ) as is_same_period

    from targets
    inner join readings
        on targets.indicator_id = readings.indicator_id
        and targets.region_id = readings.region_id
        and targets.measure = readings.measure
        and targets.unit = readings.unit

),

same_period as (

    select *
    from candidates
    where is_same_period

),

earlier as (

    select candidates.*
    from candidates
    inner join targets
        on candidates.target_fact_id = targets.fact_id
    where not candidates.is_same_period
        and candidates.status = 'actual'
        and candidates.period_end < targets.period_end
        and targets.measure in ('level', 'count')
        and (
            candidates.period_grain = targets.period_grain
            or (targets.period_grain in ('year', 'as_of')
                and candidates.period_grain in ('year', 'as_of'))
        )

),

same_period_ranked as (

    select
        *,
        row_number() over (
            partition by target_fact_id
            order by
                source_published_at desc nulls last,
                case when status = 'actual' then 0 else 1 end,
                fact_id
        ) as reading_rank

    from same_period

),

earlier_ranked as (

    select
        *,
        row_number() over (
            partition by target_fact_id
            order by period_end desc, source_published_at desc nulls last, fact_id
        ) as reading_rank

    from earlier

),

-- the reading: for the target's period when there is one, else the latest earlier actual
reading_choices as (

    select
        target_fact_id, fact_id, status, value, period_end, source_url, evidence,
        true as is_for_target_period,
        1 as preference
    from same_period_ranked
    where reading_rank = 1

    union all

    select
        target_fact_id, fact_id, status, value, period_end, source_url, evidence,
        false as is_for_target_period,
        2 as preference
    from earlier_ranked
    where reading_rank = 1

),

reading_chosen as (

    select
        *,
        row_number() over (partition by target_fact_id order by preference) as choice_rank
    from reading_choices

),

actuals as (

    select
        targets.fact_id as target_fact_id,
        reading_chosen.fact_id,
        reading_chosen.status,
        reading_chosen.value,
        reading_chosen.period_end,
        reading_chosen.source_url,
        reading_chosen.evidence,
        coalesce(reading_chosen.is_for_target_period, false) as is_for_target_period

    from targets
    left join reading_chosen
        on targets.fact_id = reading_chosen.target_fact_id
        and reading_chosen.choice_rank = 1

),

baseline_ranked as (

    select
        earlier.target_fact_id,
        earlier.value,
        earlier.period_end,
        row_number() over (
            partition by earlier.target_fact_id
            order by
                case
                    when earlier.period_end <= targets.source_published_at then 0 else 1
                end,
                -- by the target's date: the latest; after it: the earliest
                case
                    when earlier.period_end <= targets.source_published_at
                        then {{ dbt.datediff('earlier.period_end', 'actuals.period_end', 'day') }}
                    else {{ dbt.datediff('actuals.period_end', 'earlier.period_end', 'day') }}
                end,
                earlier.fact_id
        ) as baseline_rank

    from earlier
    inner join targets
        on earlier.target_fact_id = targets.fact_id
    inner join actuals
        on earlier.target_fact_id = actuals.target_fact_id
    where earlier.period_end < actuals.period_end

),

baselines as (

    select * from baseline_ranked where baseline_rank = 1

),

joined as (

    select
        targets.fact_id as target_fact_id,
        targets.indicator_id,
        targets.region_id,
        targets.measure,
        targets.unit,
        targets.qualifier as target_qualifier,
        targets.source_url as target_source_url,
        targets.evidence as target_evidence,
        actuals.fact_id as actual_fact_id,
        actuals.status as actual_status,
        actuals.source_url as actual_source_url,
        actuals.evidence as actual_evidence,
        actuals.is_for_target_period,
        targets.value as target_value,
        actuals.value as actual_value,
        baselines.value as baseline_value,
        -- the straight line from the baseline to the target, read at the actual's date
        case
            when baselines.period_end is not null
                and targets.period_end > baselines.period_end
                then baselines.value
                    + (targets.value - baselines.value)
                    * {{ dbt.datediff('baselines.period_end', 'actuals.period_end', 'day') }}
                    / cast({{ dbt.datediff('baselines.period_end', 'targets.period_end', 'day') }}
                        as {{ dbt.type_float() }})
        end as line_value,
        targets.period_start as target_period_start,
        targets.period_end as target_period_end,
        actuals.period_end as actual_period_end,
        baselines.period_end as baseline_period_end,
        as_of.progress_as_of_date

    from targets
    inner join actuals
        on targets.fact_id = actuals.target_fact_id
    left join baselines
        on targets.fact_id = baselines.target_fact_id
    cross join as_of

),

stated as (

    select
        *,
        case
            when actual_value is null then null
            when target_qualifier = 'at_most' then actual_value <= target_value
            else actual_value >= target_value
        end as is_attained,
        case
            when line_value is null then null
            when target_qualifier = 'at_most' then actual_value <= line_value
            else actual_value >= line_value
        end as is_on_line,
        coalesce(target_period_end < progress_as_of_date, false) as is_expired

    from joined

),

final as (

    select
        -- ids
        target_fact_id,
        indicator_id,
        region_id,
        actual_fact_id,

        -- dimensions
        measure,
        unit,
        target_qualifier,
        case
            when is_attained then 'met'
            when is_for_target_period then 'behind'
            when is_expired then 'expired_unknown'
            when is_on_line then 'on_track'
            when is_on_line is not null then 'behind'
            else 'no_actual_yet'
        end as progress_state,
        actual_status,
        target_source_url,
        target_evidence,
        actual_source_url,
        actual_evidence,

        -- numbers
        target_value,
        actual_value,
        baseline_value,
        case
            when target_value <> 0 then actual_value / target_value
        end as attainment_share,

        -- dates
        target_period_start,
        target_period_end,
        actual_period_end,
        baseline_period_end,
        progress_as_of_date

    from stated

)

select * from final
