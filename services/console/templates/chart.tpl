{{%AUTOESCAPE context="HTML"}}<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{WIDTH}} {{HEIGHT}}" width="{{WIDTH}}" height="{{HEIGHT}}" role="img" aria-label="{{CHART_TITLE}}">
<title>{{CHART_TITLE}}</title>
<line class="axis" x1="{{PLOT_LEFT}}" y1="{{PLOT_BOTTOM}}" x2="{{PLOT_RIGHT}}" y2="{{PLOT_BOTTOM}}"/>
<line class="axis" x1="{{PLOT_LEFT}}" y1="{{PLOT_TOP}}" x2="{{PLOT_LEFT}}" y2="{{PLOT_BOTTOM}}"/>
<line class="grid" x1="{{PLOT_LEFT}}" y1="{{MID_Y}}" x2="{{PLOT_RIGHT}}" y2="{{MID_Y}}"/>
<text class="tick" x="{{LABEL_X}}" y="{{PLOT_TOP}}" text-anchor="end" dominant-baseline="middle">100%</text>
<text class="tick" x="{{LABEL_X}}" y="{{MID_Y}}" text-anchor="end" dominant-baseline="middle">50%</text>
<text class="tick" x="{{LABEL_X}}" y="{{PLOT_BOTTOM}}" text-anchor="end" dominant-baseline="middle">0</text>
{{#BARS}}<rect class="{{CLASS}}" x="{{X}}" y="{{Y}}" width="{{W}}" height="{{H}}"><title>{{TIP}}</title></rect>
{{/BARS}}<line class="target" x1="{{PLOT_LEFT}}" y1="{{TARGET_Y}}" x2="{{PLOT_RIGHT}}" y2="{{TARGET_Y}}"/>
<text class="target-label" x="{{PLOT_RIGHT}}" y="{{TARGET_Y}}" text-anchor="end" dy="-2">{{TARGET_TEXT}}</text>
{{#DAY_LABELS}}<text class="tick" x="{{X}}" y="{{Y}}" text-anchor="middle">{{DAY}}</text>
{{/DAY_LABELS}}</svg>
<figcaption>{{CHART_TITLE}}</figcaption>
</figure>
